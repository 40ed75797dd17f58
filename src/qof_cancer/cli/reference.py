"""`qof-cancer reference`: what published England practice data is bundled, how old, and one practice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from qof_cancer.cli import app
from qof_cancer.errors import UserError
from qof_cancer.reference import ATTRIBUTION, REFERENCE_ENV, load_reference, months_old

reference_app = typer.Typer(
    help="Published figures for every GP practice in England (bundled; no network).", no_args_is_help=True
)
app.add_typer(reference_app, name="reference")


def _age(as_of: str | None, today: date) -> str:
    months = months_old(as_of, today)
    if months is None:
        return ""
    return f"{months} months old" if months >= 0 else "future"


@reference_app.command("show")
def show(
    practice: str = typer.Argument(None, help="An ODS practice code: show its published figures."),
    folder: Path = typer.Option(
        None,
        "--folder",
        help=f"Read a newer publication from this folder (default ${REFERENCE_ENV} or bundled).",
    ),
) -> None:
    """Say which published files are bundled, what they hold and how old they are (or show one practice)."""
    ref = load_reference(folder)
    console = Console(soft_wrap=True)  # lines a user may copy stay whole
    if practice:
        p = ref.get(practice)
        if p is None:
            raise UserError(
                f"{practice!r} is not in the reference data (a synthetic code or a new practice?)"
            )
        console.print(f"[bold]{p.code}[/bold] {p.name or '(not in the July 2026 practice mapping)'}")
        console.print(
            f"PCN {p.pcn_code or '-'} {p.pcn_name or ''}; ICB {p.icb_code or '-'} {p.icb_name or ''}"
        )
        if p.prevalence is not None:
            console.print(
                f"QOF 2024-25: register {p.register:,}, list size {p.list_size:,}, "
                f"prevalence {100 * p.prevalence:.2f}%"
            )
        if p.band_totals:
            console.print(f"Registered July 2026: {sum(p.band_totals):,}")
        if p.imd_score is not None:
            console.print(f"IMD 2025 score: {p.imd_score:.1f}")
        return
    table = Table("file", "period", "age", "what")
    today = date.today()
    for spec in ref.provenance["files"].values():
        table.add_row(spec["file"], spec.get("period", ""), _age(spec.get("as_of"), today), spec["what"])
    console.print(f"Reference data in {ref.folder}")
    console.print(table)
    for spec in ref.provenance["files"].values():
        console.print(f"{spec['file']}: {spec['publication']}")
    with_register = ref.with_register()
    total_register = sum(p.register or 0 for p in with_register)
    total_list = sum(p.list_size or 0 for p in with_register)
    console.print(
        f"{len(ref.practices):,} practices; {len(with_register):,} with a QOF 2024-25 register: "
        f"England {total_register:,} / {total_list:,} = {100 * total_register / total_list:.2f}%"
    )
    console.print(
        f"A newer publication: set {REFERENCE_ENV} to a folder of files with the same names and columns "
        "and a provenance.json (see docs/benchmarks.md)."
    )
    console.print(ATTRIBUTION)
