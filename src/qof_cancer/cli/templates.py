"""`qof-cancer templates`: copy the bundled message templates into a folder, to edit and pass to --templates."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from qof_cancer.cli import app
from qof_cancer.errors import UserError
from qof_cancer.worklist.messages import BUNDLED_TEMPLATES


@app.command()
def templates(
    out: Annotated[Path, typer.Option("--out", help="Folder to copy the templates into.")] = Path(
        "message-templates"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite templates already in the folder.")
    ] = False,
) -> None:
    """Copy the bundled message templates (support, invitation, reminder; SMS and letter) to edit."""
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(BUNDLED_TEMPLATES.glob("*.j2"))
    existing = [p.name for p in sources if (out / p.name).exists()]
    if existing and not force:
        raise UserError(f"{out / existing[0]} already exists; add --force to overwrite the templates there")
    for path in sources:
        shutil.copyfile(path, out / path.name)
        typer.echo(f"Wrote {out / path.name}")
    typer.echo(f"Edit them, then: qof-cancer run ... --templates {out}")
