"""`qof-cancer dbt`: the rules for a year and achievement date as a dbt project for a warehouse."""

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
from qof_cancer.codes import load_clusters
from qof_cancer.errors import UserError
from qof_cancer.model import load_ruleset
from qof_cancer.outputs.files import write_text
from qof_cancer.warehouse.dbt import render_dbt_project
from qof_cancer.warehouse.script import DIALECTS


@app.command()
def dbt(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the dbt project (created if needed).")
    ] = Path("qof_cancer_dbt"),
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            help=f"SQL dialect of the models: {', '.join(DIALECTS)} (postgres is built in the tests; the "
            "others are generated, untested).",
        ),
    ] = "postgres",
    codes: CodesOpt = None,
    scheme: SchemeOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Write a dbt project: models for the population, diagnosis date, each indicator's outcomes and the
    summary, sources for the patients and events tables, the code lists as a seed (docs/warehouse.md)."""
    if dialect not in DIALECTS:
        raise UserError(f"--dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    ruleset = load_ruleset(scheme=scheme, settings=parse_settings(setting))
    period = ruleset.period(year, parse_as_of(as_of), date.today())
    clusters = load_clusters(codes)
    clusters.require(ruleset.clusters())
    files = render_dbt_project(ruleset, period, clusters, dialect)
    for rel, text in sorted(files.items()):
        write_text(out / rel, text)
    typer.echo(
        f"wrote a dbt project of {len(files)} files to {out} ({period.year.id} at {period.ach})", err=True
    )
