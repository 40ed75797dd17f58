"""The short summary table printed at the end of a run (counts only: no patient data)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_run_summary", "status_legend", "PRACTICES_LISTED"]

# Up to this many practices the table has a row per practice and PCN; a larger run (an ICB's, the
# country's) gets one row per indicator over all its practices, and each practice's rows stay in
# summary.csv and the report: a terminal of thousands of lines helps nobody.
PRACTICES_LISTED = 12

_STATUS = {
    "paid": "paid",
    "unpaid": "not paid",
    "income_protected": "protected",
    "retired": "retired",
    "local_scheme": "local",
    "mixed": "mixed",  # a total over practices whose statuses differ
}


def status_legend(result: Any) -> list[str]:
    """One line in words per payment status shown in the table: what "protected", "retired" and the rest
    mean for this run's pounds."""
    year = result.period.year
    seen: dict[str, set[str]] = {}
    for ind_id, ind in year.indicators.items():
        seen.setdefault(ind.status, set()).add(ind_id)
    words = {
        "paid": "paid on this year's achievement: the points and pounds follow the numbers above.",
        "unpaid": "computed, but no points are paid for this indicator this year.",
        "income_protected": "income protection: paid at the points the practice achieved in {protected}, "
        "whatever it achieves this year (computed from this extract), so more patients this year do not "
        "change the pounds.",
        "retired": "retired from national QOF: computed for good practice and local schemes, £0 "
        "nationally. A local scheme file (--scheme) can pay it.",
        "local_scheme": "paid by the local scheme {scheme}, not by national QOF.",
    }
    lines = []
    for status in ("paid", "income_protected", "unpaid", "retired", "local_scheme"):
        if status not in seen:
            continue
        inds = sorted(seen[status])
        protected = ", ".join(
            sorted(
                {str(year.indicators[i].protected_year) for i in inds if year.indicators[i].protected_year}
            )
        )
        text = words[status].format(protected=protected or "an earlier year", scheme=f"'{year.scheme}'")
        lines.append(f"{_STATUS[status]} ({', '.join(inds)}): {text}")
    return lines


def _result_cell(row: dict) -> str:
    if row["numerator"] is None:  # the register
        prevalence = "" if row["prevalence_pct"] is None else f" ({row['prevalence_pct']:.2f}%)"
        return f"{row['register']:,} on register{prevalence}"
    if row["achievement_pct"] is None:
        return f"{row['numerator']} / {row['denominator']}"
    return f"{row['achievement_pct']:.1f}% ({row['numerator']:,}/{row['denominator']:,})"


def _table(title: str, first: str | None) -> Table:
    table = Table(title=title, title_justify="left")
    if first:
        table.add_column(first)
    table.add_column("Ind.")
    table.add_column("Result", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("£ paid", justify="right")
    table.add_column("Status")
    return table


def _cells(row: dict) -> tuple[str, str, str, str]:
    return (
        _result_cell(row),
        f"{row['points']:.2f}/{row['max_points']:g}",
        f"{row['payment_gbp']:,.0f}",
        _STATUS.get(row["payment_status"], row["payment_status"]),
    )


def _added(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return sum(values) if values else None


def _totals(rows: list[dict], indicators: list[str]) -> list[dict]:
    """One row per indicator over the practices' rows (the PCN rows left out, so nothing counts twice):
    registers, numerators, denominators, points and pounds added up."""
    totals = []
    for ind in indicators:
        mine = [r for r in rows if r["indicator"] == ind]
        if not mine:
            continue
        statuses = {r["payment_status"] for r in mine}
        numerator, denominator = _added(mine, "numerator"), _added(mine, "denominator")
        totals.append(
            {
                "indicator": ind,
                "register": _added(mine, "register") or 0,
                "prevalence_pct": None,
                "numerator": numerator,
                "denominator": denominator,
                "achievement_pct": 100 * numerator / denominator
                if numerator is not None and denominator
                else None,
                "points": _added(mine, "points") or 0.0,
                "max_points": _added(mine, "max_points") or 0.0,
                "payment_gbp": _added(mine, "payment_gbp") or 0.0,
                "payment_status": statuses.pop() if len(statuses) == 1 else "mixed",
            }
        )
    return totals


def print_run_summary(result: Any, console: Console) -> None:
    """Per practice and PCN (or, past `PRACTICES_LISTED` practices, per indicator over them all): the
    register, each indicator's achievement, points and pounds; then warnings."""
    period = result.period
    title = f"QOF {period.year.id} cancer at {period.ach.isoformat()}"
    if period.in_year:
        title += " (in-year)"
    indicators = [i.id for i in result.ruleset.indicators]
    rows = result.summary_rows()
    practices = sorted({r["practice_code"] for r in rows if r["practice_code"]})
    if len(practices) <= PRACTICES_LISTED:
        table = _table(title, "Practice")
        for row in rows:
            who = row["practice_code"] or f"PCN {row['pcn_code']}"
            table.add_row(who, row["indicator"], *_cells(row), end_section=row["indicator"] == indicators[-1])
    else:
        pcns = len({r["pcn_code"] for r in rows if r["practice_code"] and r["pcn_code"]})
        title += f", {len(practices):,} practices" + (f" ({pcns:,} PCN{'s' * (pcns != 1)})" if pcns else "")
        table = _table(title, None)
        for row in _totals([r for r in rows if r["practice_code"]], indicators):
            table.add_row(row["indicator"], *_cells(row))
        table.caption = "Added up over the practices. Each practice and PCN: summary.csv, report.html."
        table.caption_justify = "left"
    console.print(table)
    for line in status_legend(result):
        console.print(f"  {line}")
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
