"""`pcn_summary.csv`: the one table meant to leave a practice. Aggregates only, small numbers suppressed.

One row per unit (practice, and PCN where given) per programme per group (`dimension` = `all` for the
whole cohort), with eligible, covered and not covered counts and coverage, suppressed and rounded by
`suppression.py`. The per-language breakdown is left out: it splits a cohort into many small cells that
would almost all be hidden; `language` (English / not English) and `interpreter_needed` carry it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from qof_cancer.screening.suppression import (
    Policy,
    percent_shown,
    primary_suppressed,
    secondary_suppress,
    shown,
)

__all__ = ["build_pcn_summary", "SUMMARY_COLUMNS", "SHARED_DIMENSIONS_EXCLUDED"]

SUMMARY_COLUMNS = (
    "level",
    "pcn_code",
    "practice_code",
    "programme",
    "dimension",
    "group",
    "eligible",
    "covered",
    "not_covered",
    "coverage_pct",
    "standard_pct",
    "flag",
)
SHARED_DIMENSIONS_EXCLUDED = ("main_language",)
_MEASURES = ("eligible", "covered", "not_covered")


def _cells(coverage: Iterable[dict], groups: Iterable[dict]) -> list[dict]:
    rows = []
    for r in coverage:
        rows.append({**r, "dimension": "all", "group": "all", "flag": ""})
    for r in groups:
        if r["dimension"] not in SHARED_DIMENSIONS_EXCLUDED:
            rows.append({**r, "not_covered": r["eligible"] - r["covered"], "standard_pct": None})
    return rows


def build_pcn_summary(coverage: Iterable[dict], groups: Iterable[dict], policy: Policy) -> list[dict]:
    """Suppressed, rounded rows from the coverage and group tables (as lists of dicts)."""
    rows = _cells(coverage, groups)
    standards = {r["programme"]: r.get("standard_pct") for r in rows if r["dimension"] == "all"}

    def key(r: dict, measure: str, **change: str | None) -> tuple:
        r = {**r, **change}
        return (
            r["level"],
            r["pcn_code"],
            r["practice_code"],
            r["programme"],
            r["dimension"],
            r["group"],
            measure,
        )

    values = {key(r, m): int(r[m]) for r in rows for m in _MEASURES}
    sets: list[tuple[tuple, tuple[tuple, ...]]] = []
    by_pcn: dict[tuple, list[tuple]] = defaultdict(list)
    by_dimension: dict[tuple, list[tuple]] = defaultdict(list)
    for r in rows:
        # covered + not covered = eligible
        sets.append((key(r, "eligible"), (key(r, "covered"), key(r, "not_covered"))))
        for m in _MEASURES:
            if r["level"] == "practice" and r["pcn_code"] is not None:
                by_pcn[key(r, m, level="pcn", practice_code=None)].append(key(r, m))
            if r["dimension"] != "all":
                by_dimension[key(r, m, dimension="all", group="all")].append(key(r, m))
    sets += [(total, tuple(parts)) for total, parts in by_pcn.items()]
    sets += [(total, tuple(parts)) for total, parts in by_dimension.items()]
    hidden = secondary_suppress(values, sets, primary_suppressed(values, policy))

    out = []
    for r in rows:
        hide = {m: key(r, m) in hidden for m in _MEASURES}
        out.append(
            {
                **{
                    c: r.get(c)
                    for c in ("level", "pcn_code", "practice_code", "programme", "dimension", "group")
                },
                **{m: shown(int(r[m]), hide[m], policy) for m in _MEASURES},
                "coverage_pct": percent_shown(
                    int(r["covered"]), int(r["eligible"]), hide["covered"] or hide["eligible"], policy
                ),
                "standard_pct": standards.get(r["programme"]) if r["dimension"] == "all" else None,
                "flag": "" if hide["covered"] or hide["eligible"] else r.get("flag") or "",
            }
        )
    return out
