"""The forecast: now, the year end if nothing more is recorded, the year end if the worklist is done.

Achievement, points and pounds come from `engine.summary.summarise` over each scenario's outcome counts
(so payment status, income protection and local schemes are handled exactly as in `summary.csv`); the
arithmetic added here is only what a practice asks next: how many more patients reach each threshold,
and what one more patient is worth.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction

import pyarrow as pa

from qof_cancer.engine.summary import summarise
from qof_cancer.model.payment import payment_gbp
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period, QofYear

__all__ = [
    "FORECAST_SCHEMA",
    "SCENARIO_WORDS",
    "patients_to_reach",
    "pounds_per_extra_patient",
    "practice_pounds",
    "forecast_rows",
    "with_converted",
]

SCENARIO_WORDS = {
    "now": "now (in-year position on the achievement date)",
    "year_end_as_is": "year end if nothing more is recorded",
    "year_end_worklist_done": "year end if the worklist is completed",
}
FORECAST_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("level", pa.string()),
        ("practice_code", pa.string()),
        ("pcn_code", pa.string()),
        ("indicator", pa.string()),
        ("achievement_date", pa.date32()),
        ("register", pa.int64()),
        ("numerator", pa.int64()),
        ("denominator", pa.int64()),
        ("achievement_pct", pa.float64()),
        ("lower_threshold", pa.float64()),
        ("upper_threshold", pa.float64()),
        ("points", pa.float64()),
        ("max_points", pa.float64()),
        ("payment_status", pa.string()),
        ("points_paid", pa.float64()),
        ("payment_gbp", pa.float64()),
        ("patients_to_lower", pa.int64()),
        ("patients_to_upper", pa.int64()),
        ("pounds_per_extra_patient", pa.float64()),
        ("worklist_patients", pa.int64()),
        ("missed_patients", pa.int64()),
        ("note", pa.string()),
    ]
)
# What more patients do to this year's payment, by payment status.
_EXTRA_WORDS = {
    "unpaid": "more patients this year do not change the payment",
    "income_protected": "the payment is fixed by the protected year: more patients this year do not change it",
    "retired": "no national payment: the worklist is good practice, and may count for a local scheme",
}
Counts = list[tuple[str, str, str, int]]


def patients_to_reach(threshold: float | None, numerator: int | None, denominator: int | None) -> int | None:
    """How many more of the denominator must be `met` for achievement to reach `threshold` percent."""
    if threshold is None or numerator is None or not denominator:
        return None
    need = math.ceil(Fraction(str(threshold)) * denominator / 100 - numerator)
    return max(0, need)


def pounds_per_extra_patient(year: QofYear, indicator: str, register: int, list_size: int, denominator: int):
    """Pounds one more `met` patient (of `denominator`) is worth while achievement is between the thresholds.

    0 when the year pays nothing on this year's achievement (unpaid, retired, income-protected); a local
    scheme's £ per patient when it pays by the patient; None when there is no denominator.
    """
    yi = year.indicators[indicator]
    if yi.status in ("unpaid", "retired", "income_protected"):
        return 0.0
    if yi.pounds_per_patient is not None:
        return yi.pounds_per_patient
    if not denominator or yi.lower is None or yi.upper is None:
        return None
    points = min(float(yi.points), yi.points * (100 / denominator) / (yi.upper - yi.lower))
    pounds = payment_gbp(
        points,
        year.pounds_per_point,
        register,
        list_size,
        year.national_prevalence,
        year.national_average_list_size,
    )
    return round(pounds, 2)


def practice_pounds(rows: Iterable[dict]) -> dict[tuple[str, str], float]:
    """(practice, indicator) -> payment_gbp, from summary rows."""
    return {
        (r["practice_code"], r["indicator"]): r["payment_gbp"] or 0.0
        for r in rows
        if r["level"] == "practice"
    }


def with_converted(counts: Counts, converted: Mapping[tuple[str, str], int]) -> Counts:
    """Outcome counts with `n` of each (practice, indicator)'s `not_met` patients turned `met`."""
    grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for practice, indicator, outcome, n in counts:
        grouped[(practice, indicator)][outcome] = int(n)
    for key, n in converted.items():
        c = grouped[key]
        moved = min(n, c.get("not_met", 0))
        c["not_met"] = c.get("not_met", 0) - moved
        c["met"] = c.get("met", 0) + moved
    return [(p, i, o, n) for (p, i), c in sorted(grouped.items()) for o, n in sorted(c.items())]


def _note(row: dict) -> str:
    note = row.get("payment_note") or ""
    if row["payment_status"] in _EXTRA_WORDS and row["numerator"] is not None:
        note += f"; {_EXTRA_WORDS[row['payment_status']]}"
    return note


def at_upper(year: QofYear, row: dict) -> bool:
    """The scenario already earns the maximum points, so one more patient adds nothing (unless a local
    scheme pays by the patient)."""
    if year.indicators[row["indicator"]].pounds_per_patient is not None:
        return False
    return row["points"] is not None and row["points"] >= row["max_points"]


def _per_pcn(per_practice: Mapping[tuple[str, str], int], pcns: Mapping[str, str | None]):
    out: dict[tuple[str | None, str], int] = defaultdict(int)
    for (practice, indicator), n in per_practice.items():
        out[(pcns.get(practice), indicator)] += n
    return out


def forecast_rows(
    ruleset: RuleSet,
    period: Period,
    now_rows: list[dict],
    scenarios: Mapping[str, tuple[Counts, Mapping[str, tuple[str | None, int]]]],
    protected: Mapping[tuple[str, str], float] | None,
    worklist_counts: Mapping[tuple[str, str], int],
    missed_counts: Mapping[tuple[str, str], int],
) -> tuple[list[dict], dict[str, list[dict]]]:
    """Forecast rows (FORECAST_SCHEMA) for `now` and each year-end scenario, and each scenario's
    summary rows by name (for the money per patient)."""
    year = period.year
    year_end = Period(year, year.pped)
    summaries: dict[str, list[dict]] = {"now": now_rows}
    for name, (counts, sizes) in scenarios.items():
        summaries[name] = summarise(ruleset, year_end, counts, sizes, protected)
    pcns = {r["practice_code"]: r["pcn_code"] for r in now_rows if r["level"] == "practice"}
    pcn_worklist, pcn_missed = _per_pcn(worklist_counts, pcns), _per_pcn(missed_counts, pcns)
    out = []
    for name, rows in summaries.items():
        for row in rows:
            ratio, practice = row["numerator"] is not None, row["level"] == "practice"
            key = (row["practice_code"], row["indicator"])
            pcn_key = (row["pcn_code"], row["indicator"])
            out_row = {k: row.get(k) for k in FORECAST_SCHEMA.names}
            out_row.update(
                scenario=name,
                achievement_date=date.fromisoformat(row["achievement_date"]),
                worklist_patients=(worklist_counts.get(key, 0) if practice else pcn_worklist[pcn_key])
                if ratio
                else None,
                missed_patients=(missed_counts.get(key, 0) if practice else pcn_missed[pcn_key])
                if ratio
                else None,
                note=f"{SCENARIO_WORDS[name]}: {_note(row)}",
            )
            if ratio and practice:
                out_row.update(
                    patients_to_lower=patients_to_reach(
                        row["lower_threshold"], row["numerator"], row["denominator"]
                    ),
                    patients_to_upper=patients_to_reach(
                        row["upper_threshold"], row["numerator"], row["denominator"]
                    ),
                    pounds_per_extra_patient=0.0
                    if at_upper(year, row)
                    else pounds_per_extra_patient(
                        year, row["indicator"], row["register"], row["list_size"], row["denominator"]
                    ),
                )
            out.append(out_row)
    return out, summaries
