"""The benchmark section's data (report and dashboard): the table rows, the funnel plot, the register check.

Aggregate only: reads `benchmark.csv` / `register_check.csv` tables of a run and the published figures.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from qof_cancer.benchmark.compare import england_prevalence
from qof_cancer.outputs.funnel import FunnelPoint, funnel_svg
from qof_cancer.reference import ATTRIBUTION, load_reference

__all__ = ["benchmark_data"]


def benchmark_data(result: Any) -> dict | None:
    """Rows, the funnel SVG (as markup), the register check and the attribution; None without benchmarks."""
    table = getattr(result, "tables", {}).get("benchmark")
    if table is None or not table.num_rows:
        return None
    rows = table.to_pylist()
    ref = load_reference()
    p0 = england_prevalence(ref)
    run_codes = {r["practice_code"] for r in rows}
    marked = [
        FunnelPoint(r["practice_code"], r["list_size"], r["register"] / r["list_size"])
        for r in rows
        if r["list_size"]
    ]
    pcns = {r["pcn_code"] for r in rows if r["pcn_code"]}
    neighbours = [
        FunnelPoint(p.code, p.list_size, p.prevalence)
        for pcn in sorted(pcns)
        for p in ref.pcn_members(pcn)
        if p.prevalence is not None and p.code not in run_codes
    ]
    england = [FunnelPoint(p.code, p.list_size, p.prevalence) for p in ref.with_register()]
    check = getattr(result, "tables", {}).get("register_check")
    return {
        "rows": rows,
        "svg": Markup(funnel_svg(england, p0, marked, neighbours)),  # noqa: S704 - built from numbers and escaped codes
        "england_pct": 100 * p0,
        "neighbours": len(neighbours),
        "unknown": [r["practice_code"] for r in rows if not r["in_reference"]],
        "register_check": check.to_pylist() if check is not None else None,
        "attribution": ATTRIBUTION,
    }
