"""`qof-cancer import fhir|csv`: turn FHIR or GP system exports into the data contract's two tables.

(The module is not called `import`, a Python keyword.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from qof_cancer.cli import app
from qof_cancer.cli.options import parse_date
from qof_cancer.errors import UserError
from qof_cancer.importers import FhirOptions, ImportReport, import_csv, import_fhir, load_map

import_app = typer.Typer(
    help="Convert FHIR R4 or GP system report exports into patients and events files for `run`.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

_SHOW_PROGRESS_FROM = 20_000_000  # bytes: smaller inputs finish before a bar is worth drawing


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A byte-count progress bar on stderr, shown for large inputs only."""
    console = Console(stderr=True)
    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = None

        def advance(n: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task(label, total=total, visible=total >= _SHOW_PROGRESS_FROM)
            bar.advance(task, n)

        yield advance


def _print_report(report: ImportReport, out: Path) -> None:
    for line in report.lines():
        typer.echo(line)
    names = ", ".join(p.name for p in report.outputs)
    typer.echo(f"Wrote {names} to {out}.")
    typer.echo(
        f"Next: qof-cancer run --patients {out / 'patients.parquet'} --events {out / 'events.parquet'}"
    )


@import_app.command("fhir")
def fhir(
    paths: list[Path] = typer.Argument(
        ...,
        help="FHIR R4 JSON Bundles or resources, or bulk-export NDJSON (.ndjson, .gz too): files or folders.",
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder to write patients.parquet, events.parquet, rejects.csv."
    ),
    patient_id: str = typer.Option(
        "fhir-id",
        "--patient-id",
        help="patient_id from the Patient's logical id (fhir-id) or its NHS number.",
    ),
    practice_code: str | None = typer.Option(
        None,
        "--practice-code",
        help="ODS code for patients whose records name no practice (Synthea's, for example); counted.",
    ),
    code_system: list[str] | None = typer.Option(
        None,
        "--code-system",
        help="Also take codes in this coding system as written (a local or Read code list); repeatable.",
    ),
    registration_start: str | None = typer.Option(
        None,
        "--registration-start",
        help="Registration start YYYY-MM-DD for patients whose records carry none (Synthea's); counted.",
    ),
) -> None:
    """Convert FHIR R4 (UK Core, GP Connect, Synthea) Patient, Condition, Observation, Procedure records."""
    if patient_id not in ("fhir-id", "nhs-number"):
        raise UserError(f"--patient-id {patient_id!r}: choose fhir-id or nhs-number")
    options = FhirOptions(
        patient_id,
        practice_code.strip().upper() if practice_code else None,
        parse_date("--registration-start", registration_start),
        tuple(code_system or ()),
    )
    with _progress("reading FHIR") as progress:
        report = import_fhir(paths, out, options, progress)
    _print_report(report, out)


@import_app.command("csv")
def csv_(
    export_map: Path = typer.Option(
        ..., "--map", help="Map file (TOML) describing the export; see docs/import-maps/."
    ),
    patients: list[Path] = typer.Option(..., "--patients", help="A patients export file (repeat for more)."),
    events: list[Path] = typer.Option(..., "--events", help="A coded-events export file (repeat for more)."),
    out: Path = typer.Option(
        ..., "--out", help="Folder to write patients.parquet, events.parquet, rejects.csv."
    ),
    extract_date: str | None = typer.Option(
        None,
        "--extract-date",
        help="Date the export was taken, YYYY-MM-DD (default today): sets two-digit years.",
    ),
) -> None:
    """Convert GP system report exports (CSV with their own columns and UK dates) using a map file."""
    mapping = load_map(export_map)
    with _progress("reading CSV") as progress:
        report = import_csv(
            mapping, patients, events, out, progress, parse_date("--extract-date", extract_date)
        )
    _print_report(report, out)
