"""`qof-cancer synth`: write realistic synthetic practices (patients, events, planted faults)."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qof_cancer.cli import app
from qof_cancer.cli.options import parse_as_of
from qof_cancer.errors import UserError
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic
from qof_cancer.synth.like import PracticeShape, pcn_shapes, shapes_like


def _shapes(codes: list[str], pcn: str | None) -> list[PracticeShape] | None:
    if codes and pcn:
        raise UserError("--like and --like-pcn: choose one")
    try:
        if codes:
            return shapes_like(codes)
        return pcn_shapes(pcn) if pcn else None
    except ValueError as exc:
        raise UserError(f"--like: {exc}") from None


@app.command()
def synth(
    practices: int = typer.Option(1, "--practices", min=1, help="Number of practices."),
    patients_per_practice: int = typer.Option(
        2000,
        "--patients-per-practice",
        min=1,
        help="Patient rows per practice (incl. last year's leavers and deaths).",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same files."),
    out: Path = typer.Option(
        Path("synthetic-data"), "--out", help="Folder to write into (created if needed)."
    ),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet (use parquet for large runs)."),
    as_of: str = typer.Option(
        DEFAULT_AS_OF.isoformat(), "--as-of", help="Date the extract is taken (YYYY-MM-DD)."
    ),
    background: float = typer.Option(
        SynthParams().background_events_per_patient,
        "--background-events",
        min=0,
        help="Mean routine (non-cancer) events per patient; about 100 for realistic volume.",
    ),
    planted: bool = typer.Option(
        True, "--planted/--no-planted", help="Also write planted.csv (patient_id, fault)."
    ),
    like: list[str] = typer.Option(
        None,
        "--like",
        help="Shape a practice like this real one (ODS code; repeat, or separate with commas): its list "
        "size, age-sex structure, deprivation and register prevalence, keeping its code. Replaces "
        "--practices and --patients-per-practice.",
    ),
    like_pcn: str = typer.Option(
        None, "--like-pcn", help="Shape the practices like this real PCN's (PCN code), under synthetic codes."
    ),
) -> None:
    """Write synthetic patients and events per the data contract, calibrated to published figures."""
    if fmt not in ("csv", "parquet"):
        raise UserError(f"--format {fmt!r}: choose csv or parquet")
    day = parse_as_of(as_of)
    params = SynthParams(background_events_per_patient=background)
    shapes = _shapes([c for text in like or () for c in text.replace(",", " ").split()], like_pcn)
    total = sum(s.rows for s in shapes) if shapes else practices * patients_per_practice
    console = Console(stderr=True)
    started = perf_counter()
    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=total < 50_000) as bar:
        task = bar.add_task("patients", total=total)
        counts = write_synthetic(
            out,
            fmt,
            practices,
            patients_per_practice,
            seed,
            day,
            params,
            planted,
            lambda n: bar.advance(task, n),
            shapes,
        )
    rows = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    console.print(f"wrote {rows} rows to {out} in {perf_counter() - started:.1f} s")
