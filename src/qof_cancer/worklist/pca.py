"""PCA monitoring: each practice's PCA rate by reason this year, beside its rate last year.

A PCA rate is PCAs / (denominator + PCAs), as published. A rising rate is worth a look: a PCA is for the
patient who is unsuitable, declines, or does not answer two invitations, not for a review not yet done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa

from qof_cancer.model.nodes import PCA_OUTCOMES
from qof_cancer.model.ruleset import RuleSet

__all__ = ["PCA_SCHEMA", "pca_monitoring_rows", "RISE_FLAG_POINTS"]

# A rise of this many percentage points over last year is flagged for a look.
RISE_FLAG_POINTS = 5.0

PCA_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("pcn_code", pa.string()),
        ("indicator", pa.string()),
        ("reason", pa.string()),
        ("year", pa.string()),
        ("patients", pa.int64()),
        ("rate_pct", pa.float64()),
        ("previous_year", pa.string()),
        ("previous_patients", pa.int64()),
        ("previous_rate_pct", pa.float64()),
        ("change_pct_points", pa.float64()),
        ("note", pa.string()),
    ]
)
_REASONS = (*PCA_OUTCOMES, "all_pcas")


def _rates(counts: Iterable[tuple[str, str, str, int]]) -> dict[tuple[str, str], dict[str, int]]:
    grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for practice, indicator, outcome, n in counts:
        grouped[(practice, indicator)][outcome] += int(n)
    return grouped


def _rate(c: dict[str, int] | None, reason: str) -> tuple[int | None, float | None]:
    if c is None:
        return None, None
    pcas = sum(c.get(o, 0) for o in PCA_OUTCOMES)
    base = c.get("met", 0) + c.get("not_met", 0) + pcas
    n = pcas if reason == "all_pcas" else c.get(reason, 0)
    return n, (round(100.0 * n / base, 2) if base else None)


def pca_monitoring_rows(
    ruleset: RuleSet,
    year: str,
    in_year: bool,
    counts: Iterable[tuple[str, str, str, int]],
    pcns: dict[str, str | None],
    previous_year: str | None,
    previous_counts: Iterable[tuple[str, str, str, int]] | None,
) -> list[dict]:
    """Rows of PCA_SCHEMA: per practice, ratio indicator and PCA reason (and all PCAs together)."""
    now = _rates(counts)
    before = _rates(previous_counts or [])
    rows = []
    for practice in sorted(pcns):
        for ind in ruleset.ratio_indicators:
            for reason in _REASONS:
                n, rate = _rate(now.get((practice, ind.id), {}), reason)
                pn, prate = _rate(before.get((practice, ind.id)), reason) if previous_year else (None, None)
                change = None if rate is None or prate is None else round(rate - prate, 2)
                notes = []
                if in_year:
                    notes.append("this year so far")
                if previous_year is None:
                    notes.append("no previous year in the rule files")
                elif (practice, ind.id) not in before:
                    notes.append(f"no {ind.id} patients in {previous_year} in this extract")
                if change is not None and change >= RISE_FLAG_POINTS:
                    notes.append(f"up {change:g} points on {previous_year}: worth a look")
                rows.append(
                    {
                        "practice_code": practice,
                        "pcn_code": pcns[practice],
                        "indicator": ind.id,
                        "reason": reason,
                        "year": year,
                        "patients": n,
                        "rate_pct": rate,
                        "previous_year": previous_year,
                        "previous_patients": pn,
                        "previous_rate_pct": prate,
                        "change_pct_points": change,
                        "note": "; ".join(notes) or None,
                    }
                )
    return rows
