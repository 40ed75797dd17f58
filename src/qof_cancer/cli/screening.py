"""`qof-cancer screening`: PCN cancer screening coverage, follow-up lists, groups, contacts, action plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qof_cancer import __version__
from qof_cancer.cli import app
from qof_cancer.cli.options import AsOfOpt, CodesOpt, EventsOpt, OutOpt, PatientsOpt, parse_as_of
from qof_cancer.outputs.screening import print_screening_summary, write_screening_outputs
from qof_cancer.screening.run import run_screening

PlanOpt = Annotated[
    Path | None,
    typer.Option(
        "--plan", help="Action plan (YAML or CSV): progress on each action goes to plan_progress.csv."
    ),
]
SettingsOpt = Annotated[
    Path | None,
    typer.Option(
        "--settings", help="Screening settings file (ages, windows, standards) over the bundled ones."
    ),
]


@app.command()
def screening(
    patients: PatientsOpt,
    events: EventsOpt,
    as_of: AsOfOpt = None,
    codes: CodesOpt = None,
    plan: PlanOpt = None,
    settings: SettingsOpt = None,
    out: OutOpt = Path("qof-cancer-screening"),
) -> None:
    """Cervical, bowel and breast screening coverage per practice and PCN, non-responders,
    low-participation groups, contact numbers to correct, results not back, and action-plan progress.

    --as-of is the reference date (default today). Only pcn_summary.csv is meant to leave the practice.
    """
    console = Console(stderr=True)
    with console.status("Starting") as status:
        result = run_screening(
            patients,
            events,
            as_of=parse_as_of(as_of),
            codes=codes,
            plan=plan,
            settings_file=settings,
            progress=lambda msg: status.update(msg),
        )
        status.update("Writing the output files")
        write_screening_outputs(result, out, tool=f"qof-cancer {__version__} screening")
    print_screening_summary(result, Console())
    Console(stderr=True).print(f"Wrote the screening files to {out}", markup=False, highlight=False)
