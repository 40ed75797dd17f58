"""The short summary table printed at the end of a run (counts only: no patient data)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_run_summary"]


def _fmt(value: Any, kind: str = "") -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "gbp":
        return f"£{value:,.2f}"
    if kind == "pts":
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_run_summary(result: Any, console: Console) -> None:
    """Per practice and PCN: register, each indicator's achievement, points and pounds; then warnings."""
    period = result.period
    title = f"QOF {period.year.id} cancer indicators at {period.ach.isoformat()}"
    if period.in_year:
        title += " (in-year position)"
    table = Table(title=title, title_justify="left")
    for col, justify in (
        ("Practice / PCN", "left"),
        ("Indicator", "left"),
        ("Register", "right"),
        ("Num / Den", "right"),
        ("Achievement", "right"),
        ("Points", "right"),
        ("Points paid", "right"),
        ("Payment", "right"),
        ("Status", "left"),
    ):
        table.add_column(col, justify=justify)
    for row in result.summary_rows():
        who = row["practice_code"] or f"PCN {row['pcn_code']}"
        numden = "-" if row["numerator"] is None else f"{row['numerator']:,} / {row['denominator']:,}"
        table.add_row(
            who,
            row["indicator"],
            _fmt(row["register"]),
            numden,
            _fmt(row["achievement_pct"], "pct"),
            f"{_fmt(row['points'], 'pts')} / {row['max_points']:g}",
            _fmt(row["points_paid"], "pts"),
            _fmt(row["payment_gbp"], "gbp"),
            row["payment_status"].replace("_", " "),
            end_section=row["indicator"] == result.ruleset.indicators[-1].id,
        )
    console.print(table)
    load = result.load
    console.print(
        f"Read {load.patients_read:,} patients and {load.events_read:,} events; "
        f"{load.rows_rejected:,} row(s) rejected."
    )
    for line in load.lines()[:10]:
        console.print(f"  [yellow]{line}[/yellow]")
    for warning in result.clusters.warnings():
        console.print(f"[yellow]Code list:[/yellow] {warning}")
    for path in result.files:
        console.print(f"Wrote {path}")
