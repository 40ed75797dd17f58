"""`qof-cancer dbt`: the rules for a year and achievement date as a dbt project for a warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qof_cancer.cli import app
from qof_cancer.cli.options import AsOfOpt, CodesOpt, SchemeOpt, SettingOpt, YearOpt
from qof_cancer.cli.sql import warehouse_rules
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
    ruleset, period, clusters = warehouse_rules(dialect, year, as_of, codes, scheme, setting)
    files = render_dbt_project(ruleset, period, clusters, dialect)
    for rel, text in sorted(files.items()):
        write_text(out / rel, text)
    typer.echo(
        f"wrote a dbt project of {len(files)} files to {out} ({period.year.id} at {period.ach})", err=True
    )
