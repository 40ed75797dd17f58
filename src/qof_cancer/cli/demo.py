"""`qof-cancer demo`: a synthetic PCN, the current year in-year and the previous full year, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qof_cancer.api import run as run_indicators
from qof_cancer.cli import app
from qof_cancer.outputs.messages import write_messages
from qof_cancer.outputs.terminal import print_run_summary
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic
from qof_cancer.synth.like import demo_shapes
from qof_cancer.worklist.messages import load_messages

DEMO_SEED = 2026


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the synthetic data and the results.")] = Path(
        "demo-output"
    ),
    practices: Annotated[int, typer.Option("--practices", min=1, help="Practices in the PCN.")] = 4,
    patients_per_practice: Annotated[
        int, typer.Option("--patients-per-practice", min=100, help="Patients per practice.")
    ] = 10_000,
) -> None:
    """Generate a synthetic PCN and run the cancer indicators on it: this year so far and last year."""
    console = Console(stderr=True)
    data = out / "data"
    with console.status(f"Generating {practices} synthetic practices of {patients_per_practice:,} patients"):
        shapes = demo_shapes(practices, patients_per_practice)  # a real PCN's shape, synthetic codes
        write_synthetic(
            data, "parquet", seed=DEMO_SEED, as_of=DEFAULT_AS_OF, params=SynthParams(), shapes=shapes
        )
    ruleset_year = _year_of(DEFAULT_AS_OF)
    runs = [
        (ruleset_year, DEFAULT_AS_OF, out / f"{ruleset_year}-in-year"),
        (_previous(ruleset_year), None, out / _previous(ruleset_year)),
    ]
    stdout = Console()
    messages = load_messages(practice_name="Demo Medical Centre", practice_phone="01632 960000")
    reports = []
    for year, as_of, folder in runs:
        with console.status(f"Running {year}") as status:
            result = run_indicators(
                data / "patients.parquet",
                data / "events.parquet",
                year=year,
                as_of=as_of,
                out=folder,
                today=DEFAULT_AS_OF,
                progress=lambda msg, status=status: status.update(msg),
            )
        if "worklist" in result.tables:
            result.files += write_messages(result.tables["worklist"], folder, messages, DEFAULT_AS_OF)
        print_run_summary(result, stdout)
        reports += [p for p in result.files if p.suffix == ".html"]
        stdout.print()
    stdout.print(f"Synthetic data: {data}")
    for report in reports:
        stdout.print(f"Report: {report.resolve()}")


def _year_of(day) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _previous(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"
