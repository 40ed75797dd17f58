"""`qof-cancer reconcile`: this tool's figures beside the published ones, and the reading that matches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qof_cancer.api import run_readings
from qof_cancer.cli import app
from qof_cancer.cli.options import (
    AsOfOpt,
    CodesOpt,
    EventsOpt,
    OutOpt,
    PatientsOpt,
    SchemeOpt,
    SettingOpt,
    YearOpt,
    parse_as_of,
    parse_settings,
)
from qof_cancer.model import load_ruleset
from qof_cancer.outputs.files import write_rows_csv
from qof_cancer.reconcile import READINGS, compare, read_published, reading_settings, year_to_run
from qof_cancer.reconcile.compare import READING_COLUMNS, RECONCILE_COLUMNS

PublishedOpt = Annotated[
    Path,
    typer.Option(
        "--published",
        help="The practice's published figures: NHS Digital's ACHIEVEMENT CSV (PRACTICE_CODE, "
        "INDICATOR_CODE, MEASURE, VALUE) or an INDICATOR_VALUES CSV.",
    ),
]


@app.command()
def reconcile(
    patients: PatientsOpt,
    events: EventsOpt,
    published: PublishedOpt,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    codes: CodesOpt = None,
    out: OutOpt = Path("qof-cancer-reconcile"),
    scheme: SchemeOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Compare this tool's figures with the published ones, under every documented reading of the rules,
    and say which reading reproduces them. Writes reconcile.csv and reconcile_readings.csv."""
    console = Console(stderr=True)
    ruleset = load_ruleset(scheme=scheme, settings=parse_settings(setting))
    figures = read_published(published, tuple(i.id for i in ruleset.indicators))
    day = parse_as_of(as_of)
    readings = {
        name: reading_settings(ruleset, values, parse_settings(setting)) for name, values in READINGS.items()
    }
    with console.status("Starting") as status:
        _, results = run_readings(
            patients,
            events,
            readings,
            year=year_to_run(figures, ruleset, year, day),
            as_of=day,
            codes=codes,
            scheme=scheme,
            progress=lambda msg: status.update(msg),
        )
    verdict = compare(figures, results)
    write_rows_csv(out / "reconcile.csv", RECONCILE_COLUMNS, verdict.rows)
    write_rows_csv(out / "reconcile_readings.csv", READING_COLUMNS, verdict.readings)
    _print(Console(), verdict, results[0].period, figures, out)


def _print(console: Console, verdict, period, figures, out: Path) -> None:
    table = Table(title=f"Readings of the rules, QOF {period.year.id} at {period.ach.isoformat()}")
    for col in ("reading", "figures equal", "total difference", ""):
        table.add_column(col, justify="right" if col.startswith(("figures", "total")) else "left")
    for r in verdict.readings:
        table.add_row(
            r["reading"],
            f"{r['figures_equal']}/{r['figures_compared']}",
            f"{r['total_abs_difference']:g}",
            r["verdict"],
        )
    console.print(table)
    console.print(verdict.sentence())
    if verdict.practices_missing:
        console.print(
            f"{len(verdict.practices_missing)} practice(s) in the published file are not in the extract "
            f"and were not compared: {', '.join(verdict.practices_missing[:10])}"
        )
    if figures.other_indicators:
        console.print(f"{figures.other_indicators} rows for other indicators were left out.")
    console.print(f"Written: {out / 'reconcile.csv'}, {out / 'reconcile_readings.csv'}")
