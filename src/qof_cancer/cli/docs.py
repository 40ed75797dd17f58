"""`qof-cancer docs`: write (or check) docs/indicators.md from the rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qof_cancer.cli import app
from qof_cancer.errors import UserError
from qof_cancer.model import load_ruleset
from qof_cancer.outputs.docs import render_indicators_md
from qof_cancer.outputs.files import write_text


@app.command()
def docs(
    out: Annotated[Path | None, typer.Option("--out", help="Write the indicator reference here.")] = None,
    check: Annotated[
        Path | None, typer.Option("--check", help="Fail if this file is not up to date.")
    ] = None,
    cases: Annotated[
        Path | None, typer.Option("--cases", help="Spec cases YAML to render as a table.")
    ] = None,
) -> None:
    """Generate the indicator reference (docs/indicators.md) from the rule files."""
    text = render_indicators_md(load_ruleset(), cases)
    if check is not None:
        current = check.read_text(encoding="utf-8") if check.exists() else ""
        if current != text:
            raise UserError(f"{check} is out of date with the rule files: run 'make docs' and commit it")
        typer.echo(f"{check} is up to date")
    elif out is not None:
        write_text(out, text)
        typer.echo(f"Wrote {out}")
    else:
        typer.echo(text)
