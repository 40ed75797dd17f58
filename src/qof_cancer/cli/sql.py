"""`qof-cancer sql`: the rules for a year and achievement date as one SQL script for a warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from qof_cancer.cli import app
from qof_cancer.cli.options import (
    AsOfOpt,
    CodesOpt,
    SchemeOpt,
    SettingOpt,
    YearOpt,
    parse_as_of,
    parse_settings,
)
from qof_cancer.codes import ClusterSet, load_clusters
from qof_cancer.errors import UserError
from qof_cancer.model import Period, RuleSet, load_ruleset
from qof_cancer.outputs.files import write_text
from qof_cancer.warehouse.script import DIALECTS, render_script

DialectOpt = Annotated[
    str,
    typer.Option(
        "--dialect",
        help=f"SQL dialect: {', '.join(DIALECTS)} (postgres and duckdb are tested; the others are generated, untested).",
    ),
]


def warehouse_rules(
    dialect: str,
    year: str | None,
    as_of: str | None,
    codes: Path | None,
    scheme: Path | None,
    setting: list[str] | None,
) -> tuple[RuleSet, Period, ClusterSet]:
    """The rule set, period and code lists a warehouse script or dbt project is built from, after
    checking the dialect (shared by `sql` and `dbt`)."""
    if dialect not in DIALECTS:
        raise UserError(f"--dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    ruleset = load_ruleset(scheme=scheme, settings=parse_settings(setting))
    period = ruleset.period(year, parse_as_of(as_of), date.today())
    clusters = load_clusters(codes)
    clusters.require(ruleset.clusters())
    return ruleset, period, clusters


@app.command()
def sql(
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    dialect: DialectOpt = "postgres",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the script here (default: print it).")
    ] = None,
    codes: CodesOpt = None,
    scheme: SchemeOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Write the rules as one SQL query over tables patients and events, with the settings and code lists
    at its head (see docs/warehouse.md)."""
    ruleset, period, clusters = warehouse_rules(dialect, year, as_of, codes, scheme, setting)
    script = render_script(ruleset, period, clusters, dialect)
    if out is None:
        typer.echo(script, nl=False)
    else:
        write_text(out, script)
        typer.echo(f"wrote {out} ({dialect}, {period.year.id} at {period.ach})", err=True)
