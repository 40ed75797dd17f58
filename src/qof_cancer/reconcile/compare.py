"""Which reading of the national rules reproduces the published figures?

The rules have documented readings where the official text could not be seen (revision 2 of the spec):
the earlier-year exclusion R1c measured since the diagnosis, over any record, or off; and CAN005's
"within 3 months" as 93 days or as calendar months. `READINGS` names each combination. The same extract
is evaluated under each; every figure the published file gives is compared; the reading with the
smallest total difference is named, and readings that give identical figures on this data are reported
together, because this data cannot tell them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

from qof_cancer.api import Reading
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.reconcile.published import FIELD_MEASURES, Published

__all__ = [
    "DEFAULT_READING",
    "READINGS",
    "reading_settings",
    "our_figures",
    "Verdict",
    "compare",
    "RECONCILE_COLUMNS",
    "READING_COLUMNS",
]

_EARLIER = ("since_diagnosis", "any", "off")
_WINDOW = ("93 days", "3 months")
READINGS: dict[str, dict[str, str]] = {
    f"earlier-year exclusion {e}; support window {w}": {"earlier_year_exclusion": e, "support_window": w}
    for e, w in product(_EARLIER, _WINDOW)
}
DEFAULT_READING = "earlier-year exclusion since_diagnosis; support window 93 days"
RECONCILE_COLUMNS = (
    "practice_code",
    "indicator",
    "measure",
    "published",
    "this_tool",
    "difference",
    "difference_pct",
    "best_reading_value",
)
READING_COLUMNS = (
    "reading",
    "settings",
    "figures_compared",
    "figures_equal",
    "total_abs_difference",
    "verdict",
)


def reading_settings(
    ruleset: RuleSet, reading: Mapping[str, str], base: Mapping[str, Mapping[str, object]] | None = None
) -> dict[str, dict[str, object]]:
    """The per-indicator settings of a reading: each value given to every indicator that has that
    setting, on top of the user's own settings."""
    out: dict[str, dict[str, object]] = {k: dict(v) for k, v in (base or {}).items()}
    for ind in ruleset.ratio_indicators:
        for name, value in reading.items():
            if name in ind.settings:
                out.setdefault(ind.id, {})[name] = value
    return out


def our_figures(reading: Reading) -> dict[tuple[str, str, str], float]:
    """(practice, indicator, measure) -> value: the ACHIEVEMENT measures and the INDICATOR_VALUES fields."""
    out: dict[tuple[str, str, str], float] = {}
    for row in reading.summary:
        if row["level"] != "practice":
            continue
        key = (row["practice_code"], row["indicator"])
        out[(*key, "REGISTER")] = row["register"]
        out[(*key, "ACHIEVED_POINTS")] = row["points"]
        if row["numerator"] is not None:
            out[(*key, "NUMERATOR")] = row["numerator"]
            out[(*key, "DENOMINATOR")] = row["denominator"]
            out[(*key, "PCAS")] = row["pcas"]
    for row in reading.indicator_values:
        measure = FIELD_MEASURES.get(row["field_name"], row["field_name"])
        out[(row["practice_code"], row["indicator"], measure)] = row["value"]
    return out


@dataclass(frozen=True)
class Verdict:
    """The comparison: one row per published figure, one per reading, and the reading named."""

    rows: list[dict]
    readings: list[dict]
    best: list[str]
    exact: bool
    practices_missing: list[str]  # in the published file, not in the extract

    def sentence(self) -> str:
        if not self.best:
            return "No figure of the published file could be compared."
        names = "; ".join(self.best)
        if self.exact and len(self.best) == 1:
            return f"The reading that reproduces the published figures exactly: {names}."
        if self.exact:
            return (
                f"{len(self.best)} readings reproduce the published figures exactly and give the same figures "
                f"on this data, so it cannot tell them apart: {names}."
            )
        return f"No reading reproduces the published figures exactly; the closest: {names}."


def _equal(a: float, b: float) -> bool:
    return abs(a - b) < 0.005  # points are published to two decimals


def compare(published: Published, readings: list[Reading]) -> Verdict:
    """Compare every published figure for the practices in the extract with each reading's."""
    figures = {r.name: our_figures(r) for r in readings}
    extract_practices = {p for f in figures.values() for p, _, _ in f}
    keys = sorted(k for k in published.values if k[0] in extract_practices)
    default = figures.get(DEFAULT_READING) or next(iter(figures.values()))
    per_reading = []
    for reading in readings:
        ours = figures[reading.name]
        compared = [k for k in keys if k in ours]
        diffs = [abs(ours[k] - published.values[k]) for k in compared]
        per_reading.append(
            {
                "reading": reading.name,
                "settings": "; ".join(
                    f"{ind}.{k}={v}" for ind, values in reading.settings.items() for k, v in values.items()
                ),
                "figures_compared": len(compared),
                "figures_equal": sum(_equal(d, 0) for d in diffs),
                "total_abs_difference": round(sum(diffs), 2),
            }
        )
    usable = [r for r in per_reading if r["figures_compared"]]
    best_total = min((r["total_abs_difference"] for r in usable), default=None)
    best = [r["reading"] for r in usable if r["total_abs_difference"] == best_total]
    exact = best_total is not None and _equal(best_total, 0)
    for r in per_reading:
        r["verdict"] = (
            ("reproduces the published figures" if exact else "closest to the published figures")
            if r["reading"] in best
            else ""
        )
    best_figures = figures[best[0]] if best else default
    rows = []
    for key in keys:
        value = published.values[key]
        mine = default.get(key)
        rows.append(
            {
                "practice_code": key[0],
                "indicator": key[1],
                "measure": key[2],
                "published": value,
                "this_tool": mine,
                "difference": None if mine is None else round(mine - value, 2),
                "difference_pct": None
                if mine is None or not value
                else round(100 * (mine - value) / value, 2),
                "best_reading_value": best_figures.get(key),
            }
        )
    missing = sorted(published.practices - extract_practices)
    return Verdict(rows, per_reading, best, exact, missing)
