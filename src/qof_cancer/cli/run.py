"""`qof-cancer run`: the cancer indicators for one QOF year."""

from __future__ import annotations

from qof_cancer.cli import app


@app.command()
def run() -> None:
    """Compute CAN001, CAN004 and CAN005 (placeholder until the engine lands)."""
