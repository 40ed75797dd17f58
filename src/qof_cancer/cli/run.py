"""`qof-cancer run`: the cancer indicators for one QOF year, with progress and a closing summary table."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from qof_cancer.api import run as run_indicators
from qof_cancer.cli import app
from qof_cancer.cli.options import (
    AsOfOpt,
    CodesOpt,
    EngineOpt,
    EventsOpt,
    OutOpt,
    PatientsOpt,
    SchemeOpt,
    SettingOpt,
    SparkMasterOpt,
    YearOpt,
    parse_as_of,
    parse_settings,
)
from qof_cancer.outputs.terminal import print_run_summary


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
) -> None:
    """Compute CAN001, CAN004 and CAN005 and write outcomes.csv, summary.csv and rejects.csv."""
    console = Console(stderr=True)
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
            progress=lambda msg: status.update(msg),
        )
    print_run_summary(result, Console())
