"""`qof-cancer run`: the cancer indicators for one QOF year, with progress and a closing summary table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from qof_cancer.api import run as run_indicators
from qof_cancer.cli import app
from qof_cancer.cli.inputs import check_input_paths
from qof_cancer.cli.options import (
    AsOfOpt,
    CodesOpt,
    DsnOpt,
    EngineOpt,
    EventsOpt,
    OutOpt,
    PatientsOpt,
    PracticeDetailsOpt,
    PracticeNameOpt,
    PracticePhoneOpt,
    SchemeOpt,
    SettingOpt,
    SparkMasterOpt,
    TemplatesOpt,
    YearOpt,
    parse_as_of,
    parse_settings,
)
from qof_cancer.outputs.terminal import print_run_summary
from qof_cancer.worklist.messages import load_messages


def _today() -> date:
    """Today, the day the texts and letters are for (one place, so a test can set the day)."""
    return date.today()


@app.command()
def run(
    patients: PatientsOpt,
    events: EventsOpt,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    codes: CodesOpt = None,
    out: OutOpt = Path("qof-cancer-output"),
    scheme: SchemeOpt = None,
    setting: SettingOpt = None,
    engine: EngineOpt = "duckdb",
    spark_master: SparkMasterOpt = "local[2]",
    dsn: DsnOpt = None,
    templates: TemplatesOpt = None,
    practice_details: PracticeDetailsOpt = None,
    practice_name: PracticeNameOpt = None,
    practice_phone: PracticePhoneOpt = None,
) -> None:
    """Compute CAN001, CAN004 and CAN005 and write outcomes.csv, summary.csv, the worklist, forecast and
    messages."""
    console = Console(stderr=True)
    # Templates and practice details are checked before the (longer) run, so a bad one fails at once.
    messages = load_messages(templates, practice_details, practice_name, practice_phone)
    check_input_paths(patients, events)
    with console.status("Starting") as status:
        result = run_indicators(
            patients,
            events,
            year=year,
            as_of=parse_as_of(as_of),
            codes=codes,
            out=out,
            scheme=scheme,
            settings=parse_settings(setting),
            engine=engine,
            spark_master=spark_master,
            dsn=dsn,
            progress=lambda msg: status.update(msg),
            messages=messages,
            messages_today=_today(),
        )
    stdout = Console()
    print_run_summary(result, stdout)
    for warning in result.warnings:
        stdout.print(f"[yellow]Warning:[/yellow] {warning}")
    for note in result.message_notes:
        stdout.print(f"[yellow]Messages:[/yellow] {note}")
