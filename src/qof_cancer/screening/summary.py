"""`pcn_summary.csv`: the one table meant to leave a practice. Aggregates only, small numbers suppressed.

One row per unit (practice, and PCN where given) per programme per group (`dimension` = `all` for the
whole cohort), with eligible, covered and not covered counts and coverage, suppressed and rounded by
`suppression.py`, then checked against recovery by arithmetic across every row and hidden further
until no small count can be worked out (`disclosure.py`). The per-language breakdown is left out: it splits a cohort into many small cells that
would almost all be hidden; `language` (English / not English) and `interpreter_needed` carry it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from qof_cancer.errors import UserError
from qof_cancer.screening.disclosure import Interval, attack, disclosed, protect, published_bounds
from qof_cancer.screening.suppression import (
    HIDDEN,
    Policy,
    percent_shown,
    primary_suppressed,
    secondary_suppress,
    shown,
)

__all__ = [
    "build_pcn_summary",
    "additive_cells",
    "summary_rows",
    "SUMMARY_COLUMNS",
    "SHARED_DIMENSIONS_EXCLUDED",
]

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
_LABELS = ("level", "pcn_code", "practice_code", "programme", "dimension", "group")


def _cells(coverage: Iterable[dict], groups: Iterable[dict]) -> list[dict]:
    rows = []
    for r in coverage:
        rows.append({**r, "dimension": "all", "group": "all", "flag": ""})
    for r in groups:
        if r["dimension"] not in SHARED_DIMENSIONS_EXCLUDED:
            rows.append({**r, "not_covered": r["eligible"] - r["covered"], "standard_pct": None})
    return rows


def _key(r: dict, measure: str, **change: str | None) -> tuple:
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


def additive_cells(rows: list[dict]) -> tuple[dict[tuple, int], list[tuple[tuple, tuple[tuple, ...]]]]:
    """Every published count by cell, and the sets of cells that add up (total, parts)."""
    values = {_key(r, m): int(r[m]) for r in rows for m in _MEASURES}
    sets: list[tuple[tuple, tuple[tuple, ...]]] = []
    by_pcn: dict[tuple, list[tuple]] = defaultdict(list)
    by_dimension: dict[tuple[tuple, str], list[tuple]] = defaultdict(list)
    for r in rows:
        # covered + not covered = eligible
        sets.append((_key(r, "eligible"), (_key(r, "covered"), _key(r, "not_covered"))))
        for m in _MEASURES:
            if r["level"] == "practice" and r["pcn_code"] is not None:
                by_pcn[_key(r, m, level="pcn", practice_code=None)].append(_key(r, m))
            if r["dimension"] != "all":
                # one set per breakdown: the groups of *one* dimension add up to the whole
                by_dimension[(_key(r, m, dimension="all", group="all"), r["dimension"])].append(_key(r, m))
    sets += [(total, tuple(parts)) for total, parts in by_pcn.items()]
    sets += [(total, tuple(parts)) for (total, _dimension), parts in by_dimension.items()]
    return values, sets


def summary_rows(coverage: Iterable[dict], groups: Iterable[dict]) -> list[dict]:
    """The unsuppressed cells of pcn_summary.csv (for the disclosure tests)."""
    return _cells(coverage, groups)


def build_pcn_summary(coverage: Iterable[dict], groups: Iterable[dict], policy: Policy) -> list[dict]:
    """Suppressed, rounded rows from the coverage and group tables (as lists of dicts).

    Primary suppression (1-7), secondary suppression (no set with one hidden cell), then the disclosure
    check (`disclosure.protect`) hides more until no small count can be worked out; the rows are then
    checked once more the way a reader of the file would attack them (`recoverable`), and a run whose
    file would still give one away stops instead of writing it."""
    rows = _cells(coverage, groups)
    values, sets = additive_cells(rows)
    hidden = secondary_suppress(values, sets, primary_suppressed(values, policy))
    try:
        hidden = protect(values, sets, hidden, policy)
    except ValueError as exc:
        raise UserError(f"pcn_summary.csv not written: {exc}") from None
    out = render_rows(rows, hidden, policy)
    if disclosed(values, sets, hidden, policy) or recoverable(out, policy):
        raise UserError("pcn_summary.csv not written: a hidden count could be worked out from the others")
    return out


def render_rows(rows: list[dict], hidden: set[tuple], policy: Policy) -> list[dict]:
    """The published text of each row, given the hidden cells."""
    standards = {r["programme"]: r.get("standard_pct") for r in rows if r["dimension"] == "all"}
    out = []
    for r in rows:
        hide = {m: _key(r, m) in hidden for m in _MEASURES}
        out.append(
            {
                **{c: r.get(c) for c in _LABELS},
                **{m: shown(int(r[m]), hide[m], policy) for m in _MEASURES},
                "coverage_pct": percent_shown(
                    int(r["covered"]), int(r["eligible"]), hide["covered"] or hide["eligible"], policy
                ),
                "standard_pct": standards.get(r["programme"]) if r["dimension"] == "all" else None,
                "flag": "" if hide["covered"] or hide["eligible"] else r.get("flag") or "",
            }
        )
    return out


def recoverable(published: Iterable[dict], policy: Policy) -> dict[tuple, Interval]:
    """The attack on the published rows alone: hidden cells whose value, worked out from every shown
    count and every sum together (a linear programme per hidden cell), is one value from 1 to
    `max_suppressed`. Empty when the file is safe."""
    rows = [dict(r) for r in published]
    shown_values = {_key(r, m): r[m] for r in rows for m in _MEASURES}
    hidden = {c for c, text in shown_values.items() if str(text) == HIDDEN}
    # published_bounds needs a number per cell: a shown count stands for itself, a hidden one for 1
    numbers = {c: (1 if c in hidden else int(float(text or 0))) for c, text in shown_values.items()}
    _, sets = additive_cells([{**r, **{m: 0 for m in _MEASURES}} for r in rows])
    bounds = attack(published_bounds(numbers, hidden, policy), sets, hidden, enough=1)
    return {
        c: b
        for c, b in bounds.items()
        if c in hidden and b.low == b.high and 1 <= b.low <= policy.max_suppressed
    }
