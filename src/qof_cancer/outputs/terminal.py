"""The short summary table printed at the end of a run (counts only: no patient data)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_run_summary"]

_STATUS = {
    "paid": "paid",
    "unpaid": "not paid",
    "income_protected": "protected",
    "retired": "retired",
    "local_scheme": "local",
}


def _result_cell(row: dict) -> str:
    if row["numerator"] is None:  # the register
        prevalence = "" if row["prevalence_pct"] is None else f" ({row['prevalence_pct']:.2f}%)"
        return f"{row['register']:,} on register{prevalence}"
    if row["achievement_pct"] is None:
        return f"{row['numerator']} / {row['denominator']}"
    return f"{row['achievement_pct']:.1f}% ({row['numerator']:,}/{row['denominator']:,})"


def print_run_summary(result: Any, console: Console) -> None:
    """Per practice and PCN: the register, each indicator's achievement, points and pounds; then warnings."""
    period = result.period
    title = f"QOF {period.year.id} cancer at {period.ach.isoformat()}"
    if period.in_year:
        title += " (in-year)"
    table = Table(title=title, title_justify="left")
    table.add_column("Practice")
    table.add_column("Ind.")
    table.add_column("Result", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("£ paid", justify="right")
    table.add_column("Status")
    last = result.ruleset.indicators[-1].id
    for row in result.summary_rows():
        who = row["practice_code"] or f"PCN {row['pcn_code']}"
        table.add_row(
            who,
            row["indicator"],
            _result_cell(row),
            f"{row['points']:.2f}/{row['max_points']:g}",
            f"{row['payment_gbp']:,.0f}",
            _STATUS.get(row["payment_status"], row["payment_status"]),
            end_section=row["indicator"] == last,
        )
    console.print(table)
    load = result.load
    console.print(
        f"Read {load.patients_read:,} patients and {load.events_read:,} events; "
        f"{load.rows_rejected:,} row(s) rejected."
    )
    for line in load.lines()[:10]:
        console.print(f"  [yellow]{line}[/yellow]")
    quality = getattr(result, "tables", {}).get("data_quality")
    if quality is not None and quality.num_rows:
        changed = sum(1 for flag in quality.column("changes_outcome").to_pylist() if flag)
        console.print(
            f"Data quality: {quality.num_rows:,} finding(s), {changed:,} of which change an indicator outcome "
            "(data_quality.csv)."
        )
    for warning in result.clusters.warnings():
        console.print(f"[yellow]Code lists:[/yellow] {warning}")
    for path in result.files:
        console.print(f"Wrote {path}")
