"""`qof-cancer demo`: a synthetic PCN run end to end, in a year that pays and in today's year.

Three runs on the same synthetic extract:

- 2023-24 in-year (15 November 2023), the last year the cancer indicators were paid on achievement, so the
  worklist's pounds, the forecast and "patients to the upper threshold" are real money;
- 2023-24 at the year end, what that year paid;
- the current year in-year as a local scheme (`rules/schemes/example-icb.yaml`, an ICB-style pounds per
  point), because nationally the indicators are retired and every national pound is 0.

The practices' names and phone numbers come from a practice details file the demo writes beside the
synthetic data (Ofcom's drama numbers, never a real line), the way a practice sets them once for `run`
and `serve`.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qof_cancer.api import run as run_indicators
from qof_cancer.cli import app
from qof_cancer.outputs.terminal import print_run_summary
from qof_cancer.synth import SynthParams, write_synthetic
from qof_cancer.synth.like import demo_shapes
from qof_cancer.worklist.messages import load_messages

DEMO_SEED = 2026
EXAMPLE_SCHEME = Path(__file__).parents[1] / "rules" / "schemes" / "example-icb.yaml"
PAID_YEAR = "2023-24"
PAID_YEAR_AS_OF = date(2023, 11, 15)
# Today's year, run as a local scheme: QOF 2026-27, after the rule files' last year, which follows by
# rule. The synthetic extract is taken on DEMO_AS_OF, a fixed day in that year, so the demo is the same
# whenever it is run.
LOCAL_SCHEME_YEAR = "2026-27"
DEMO_AS_OF = date(2026, 11, 15)
_DEMO_NAMES = ("Riverside Surgery", "Hill Street Medical Centre", "Park View Practice", "Canal Side Surgery")


def write_demo_practice_details(path: Path, practice_codes: list[str]) -> Path:
    """A practice details file for the synthetic practices: names, drama phone numbers, addresses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["practice_code", "name", "phone", "address", "signature"])
        for i, code in enumerate(practice_codes):
            name = _DEMO_NAMES[i % len(_DEMO_NAMES)] + (f" {i // len(_DEMO_NAMES) + 1}" if i >= 4 else "")
            writer.writerow(
                [
                    code,
                    name,
                    f"01632 960{i + 1:03d}",
                    f"{i + 1} High Street, Anytown AB1 2CD",
                    "The practice team",
                ]
            )
    return path


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
    """Generate a synthetic PCN and run it: a paid year (2023-24) in-year and at its end, and this year
    as a local scheme."""
    console = Console(stderr=True)
    data = out / "data"
    with console.status(f"Generating {practices} synthetic practices of {patients_per_practice:,} patients"):
        shapes = demo_shapes(practices, patients_per_practice)  # a real PCN's shape, synthetic codes
        write_synthetic(
            data, "parquet", seed=DEMO_SEED, as_of=DEMO_AS_OF, params=SynthParams(), shapes=shapes
        )
    codes = [f"Y9{i + 1:04d}" for i in range(practices)]
    details = write_demo_practice_details(data / "practice-details.csv", codes)
    messages = load_messages(practice_details=details)
    runs = [
        (PAID_YEAR, PAID_YEAR_AS_OF, None, out / f"{PAID_YEAR}-in-year"),
        (PAID_YEAR, None, None, out / PAID_YEAR),
        (LOCAL_SCHEME_YEAR, DEMO_AS_OF, EXAMPLE_SCHEME, out / f"{LOCAL_SCHEME_YEAR}-local-scheme"),
    ]
    stdout = Console()
    reports = []
    for year, as_of, scheme, folder in runs:
        with console.status(f"Running {year}") as status:
            result = run_indicators(
                data / "patients.parquet",
                data / "events.parquet",
                year=year,
                as_of=as_of,
                out=folder,
                scheme=scheme,
                today=DEMO_AS_OF,  # the day the extract was taken: nothing in it is in the future
                progress=lambda msg, status=status: status.update(msg),
                messages=messages,
                # The demo plays an in-year run on its achievement date, so its letters are for that day.
                messages_today=as_of or DEMO_AS_OF,
            )
        print_run_summary(result, stdout)
        for note in result.message_notes:
            stdout.print(f"[yellow]Messages:[/yellow] {note}")
        reports += [p for p in result.files if p.suffix == ".html"]
        stdout.print()
    stdout.print(f"Synthetic data: {data}")
    stdout.print(f"Practice details: {details}")
    for report in reports:
        stdout.print(f"Report: {report.resolve()}")
