"""benchmark.csv: each practice of a run beside its PCN, ICB and England, and its expected register.

A practice's own prevalence comes from the run (its register and list on the achievement date); the
comparators are the published QOF 2024-25 figures. Ranks put 1 at the highest prevalence; the
percentile is the share of England's other practices with a lower prevalence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence

import pyarrow as pa

from qof_cancer.benchmark.expected import ExpectedModel
from qof_cancer.benchmark.funnel import control_limits, funnel_band
from qof_cancer.reference import Reference, ReferencePractice

__all__ = ["BENCHMARK_SCHEMA", "NOT_IN_REFERENCE", "benchmark_rows", "england_prevalence", "register_words"]

NOT_IN_REFERENCE = (
    "not in the published data (a synthetic code, or a practice new since 2024-25): compared with "
    "England only"
)
BENCHMARK_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("in_reference", pa.bool_()),
        ("practice_name", pa.string()),
        ("list_size", pa.int64()),
        ("register", pa.int64()),
        ("prevalence_pct", pa.float64()),
        ("pcn_code", pa.string()),
        ("pcn_name", pa.string()),
        ("pcn_prevalence_pct", pa.float64()),
        ("pcn_rank", pa.int64()),
        ("pcn_practices", pa.int64()),
        ("icb_code", pa.string()),
        ("icb_name", pa.string()),
        ("icb_prevalence_pct", pa.float64()),
        ("icb_rank", pa.int64()),
        ("icb_practices", pa.int64()),
        ("icb_percentile", pa.float64()),
        ("england_prevalence_pct", pa.float64()),
        ("england_rank", pa.int64()),
        ("england_practices", pa.int64()),
        ("england_percentile", pa.float64()),
        ("limit_95_low_pct", pa.float64()),
        ("limit_95_high_pct", pa.float64()),
        ("limit_998_low_pct", pa.float64()),
        ("limit_998_high_pct", pa.float64()),
        ("funnel", pa.string()),
        ("expected_register", pa.float64()),
        ("expected_low", pa.float64()),
        ("expected_high", pa.float64()),
        ("expected_basis", pa.string()),
        ("register_vs_expected", pa.string()),
        ("note", pa.string()),
    ]
)


def england_prevalence(ref: Reference) -> float:
    """England's register over England's list (a fraction)."""
    rows = ref.with_register()
    return sum(p.register for p in rows) / sum(p.list_size for p in rows)


def _pooled(rows: Sequence[ReferencePractice]) -> float | None:
    listed = sum(p.list_size for p in rows)
    return sum(p.register for p in rows) / listed if listed else None


def _place(value: float, ordered: Sequence[float], own: float | None = None) -> tuple[int, int, float | None]:
    """(rank with 1 the highest, practices counted including this one, percentile) against the others:
    `ordered` (smallest first) less `own`, the practice's own published figure when `ordered` holds it."""
    above = len(ordered) - bisect_right(ordered, value)
    below = bisect_left(ordered, value)
    count = len(ordered)
    if own is not None:
        count, above, below = count - 1, above - (own > value), below - (own < value)
    return above + 1, count + 1, (round(100 * below / count, 1) if count else None)


def _pct(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(100 * value, places)


def register_words(register: int, expected: float, low: float, high: float) -> str:
    """The expected-register comparison in words, with the prompt to look for uncoded diagnoses."""
    if register < low:
        return (
            f"below expected: {register:,} recorded against about {expected:,.0f} expected "
            f"({low:,.0f} to {high:,.0f}) for a list of this age, sex and deprivation. Some diagnoses may "
            "be uncoded: see the data-quality checks (diagnoses coded only as a morphology, history-of "
            "codes at registration, hospital letters not yet coded)."
        )
    if register > high:
        return (
            f"above expected: {register:,} recorded against about {expected:,.0f} expected "
            f"({low:,.0f} to {high:,.0f}). Check for duplicates or codes outside the register's meaning."
        )
    return f"as expected: {register:,} recorded, about {expected:,.0f} expected ({low:,.0f} to {high:,.0f})"


def benchmark_rows(
    practices: Sequence[Mapping],
    ref: Reference,
    model: ExpectedModel,
    profiles: Mapping[str, tuple[Sequence[int], Sequence[int]]],
) -> list[dict]:
    """One row per run practice. `practices`: summary-style rows with practice_code, list_size and
    register; `profiles`: practice -> (female, male) patients per five-year band on the achievement date."""
    england = england_prevalence(ref)
    england_values = ref.prevalences()
    out = []
    for row in practices:
        code, list_size, register = (
            row["practice_code"],
            int(row["list_size"] or 0),
            int(row["register"] or 0),
        )
        known = ref.get(code)
        value = register / list_size if list_size else None
        entry: dict = dict.fromkeys(BENCHMARK_SCHEMA.names)
        entry.update(
            practice_code=code,
            in_reference=known is not None,
            list_size=list_size,
            register=register,
            prevalence_pct=_pct(value),
            england_prevalence_pct=_pct(england),
            note=None if known is not None else NOT_IN_REFERENCE,
        )
        if value is not None:
            own = known.prevalence if known is not None and known.code == code else None
            entry["england_rank"], entry["england_practices"], entry["england_percentile"] = _place(
                value, england_values, own
            )
            limits = control_limits(england, list_size)
            entry.update(
                limit_95_low_pct=_pct(limits.low_95),
                limit_95_high_pct=_pct(limits.high_95),
                limit_998_low_pct=_pct(limits.low_998),
                limit_998_high_pct=_pct(limits.high_998),
                funnel=funnel_band(value, limits),
            )
        if known is not None:
            entry["practice_name"] = known.name
            for level, group_code, group_name in (
                ("pcn", known.pcn_code, known.pcn_name),
                ("icb", known.icb_code, known.icb_name),
            ):
                if group_code is None:
                    continue
                members = [p for p in ref.with_register_in(level, group_code) if p.code != code]
                entry[f"{level}_code"], entry[f"{level}_name"] = group_code, group_name
                entry[f"{level}_prevalence_pct"] = _pct(
                    _pooled(members + ([known] if known.prevalence else []))
                )
                if value is not None:
                    rank, count, percentile = _place(value, sorted(p.prevalence for p in members))
                    entry[f"{level}_rank"], entry[f"{level}_practices"] = rank, count
                    if level == "icb":
                        entry["icb_percentile"] = percentile
        profile = profiles.get(code)
        if profile is not None and list_size and sum(profile[0]) + sum(profile[1]):
            imd = known.imd_score if known is not None else None
            # Rounded once, so the words and the table's figures agree.
            expected, low, high = (
                round(v, 1) for v in model.expected(profile[0], profile[1], imd, list_size)
            )
            entry.update(
                expected_register=expected,
                expected_low=low,
                expected_high=high,
                expected_basis="own age-sex profile; "
                + (
                    "published IMD 2025 score"
                    if imd is not None
                    else "England's median IMD (practice not published)"
                ),
                register_vs_expected=register_words(register, expected, low, high),
            )
        out.append(entry)
    return out
