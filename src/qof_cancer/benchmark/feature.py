"""The benchmark feature: benchmark.csv for every run, register_check.csv for a year-end run of the
year the bundled register was published for (QOF 2024-25).

Aggregate only: the age-sex profile is counted by the run's engine, per practice and band; no patient
row leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pyarrow as pa

from qof_cancer.benchmark.compare import BENCHMARK_SCHEMA, benchmark_rows
from qof_cancer.benchmark.expected import expected_model
from qof_cancer.engine.context import Feature, RunContext
from qof_cancer.engine.facts import registered_on_sql
from qof_cancer.reference import AGE_BANDS, Reference, load_reference

__all__ = ["FEATURE", "REGISTER_CHECK_SCHEMA", "compute", "register_check_rows", "RECONCILE_TOLERANCE_PCT"]

RECONCILE_TOLERANCE_PCT = 1.0  # within 1% of the published register: the usual test of a register build
REGISTER_CHECK_SCHEMA = pa.schema(
    [
        ("practice_code", pa.string()),
        ("year", pa.string()),
        ("computed_register", pa.int64()),
        ("published_register", pa.int64()),
        ("difference", pa.int64()),
        ("difference_pct", pa.float64()),
        ("within_1pct", pa.bool_()),
        ("note", pa.string()),
    ]
)


def _profile_sql(ach: date) -> str:
    """Registered patients per practice, sex and five-year band on `ach`, in SQL every engine runs (the
    backend transpiles it). Months are counted as DuckDB's date_diff('month') counts them, from the
    calendar parts, since engines' own month differences disagree."""
    day = f"DATE '{ach.isoformat()}'"
    months = (
        f"(EXTRACT(YEAR FROM {day}) - EXTRACT(YEAR FROM date_of_birth)) * 12 "
        f"+ EXTRACT(MONTH FROM {day}) - EXTRACT(MONTH FROM date_of_birth)"
    )
    band = f"LEAST(CAST(FLOOR(months / 60.0) AS INTEGER), {len(AGE_BANDS) - 1})"
    return (
        f"SELECT practice_code, sex, {band} AS band, COUNT(*) AS n FROM ("
        f"SELECT practice_code, sex, {months} AS months FROM patients "
        f"WHERE {registered_on_sql(ach)} AND sex IN ('F', 'M') AND date_of_birth <= {day}) AS p "
        f"GROUP BY practice_code, sex, {band}"
    )


def _profiles(ctx: RunContext) -> dict[str, tuple[list[int], list[int]]]:
    """Practice -> (female, male) registered patients per five-year band on the achievement date."""
    out: dict[str, tuple[list[int], list[int]]] = {}
    for code, sex, band, n in ctx.backend.rows(_profile_sql(ctx.period.ach)):
        female, male = out.setdefault(code, ([0] * len(AGE_BANDS), [0] * len(AGE_BANDS)))
        (female if sex == "F" else male)[int(band)] += int(n)
    return out


def _practice_registers(summary_rows: Sequence[Mapping]) -> list[dict]:
    seen: dict[str, dict] = {}
    for row in summary_rows:
        if row["level"] == "practice":
            seen.setdefault(row["practice_code"], row)
    return list(seen.values())


def register_check_rows(practices: Sequence[Mapping], ref: Reference, year: str) -> list[dict]:
    """The computed CAN001 register beside the published one, per practice (the reconcile command's part)."""
    rows = []
    for row in practices:
        code, computed = row["practice_code"], int(row["register"] or 0)
        known = ref.get(code)
        published = known.register if known is not None else None
        if published is None:
            rows.append(
                {
                    "practice_code": code,
                    "year": year,
                    "computed_register": computed,
                    "published_register": None,
                    "difference": None,
                    "difference_pct": None,
                    "within_1pct": None,
                    "note": "no published register for this code",
                }  # fmt: skip
            )
            continue
        difference = computed - published
        pct = round(100 * difference / published, 2) if published else None
        within = pct is not None and abs(pct) <= RECONCILE_TOLERANCE_PCT
        rows.append(
            {
                "practice_code": code,
                "year": year,
                "computed_register": computed,
                "published_register": published,
                "difference": difference,
                "difference_pct": pct,
                "within_1pct": within,
                "note": None
                if within
                else "more than 1% from the published register: check the register build",
            }  # fmt: skip
        )
    return rows


def compute(ctx: RunContext) -> dict[str, pa.Table]:
    """{"benchmark"} for every run, plus {"register_check"} for a year-end run of the published year."""
    ref = load_reference()
    practices = _practice_registers(ctx.summary_rows)
    rows = benchmark_rows(practices, ref, expected_model(ref), _profiles(ctx))
    tables = {"benchmark": pa.Table.from_pylist(rows, schema=BENCHMARK_SCHEMA)}
    published_year = ref.provenance["files"]["register"].get("qof_year")
    if not ctx.period.in_year and ctx.period.year.id == published_year:
        check = register_check_rows(practices, ref, published_year)
        tables["register_check"] = pa.Table.from_pylist(check, schema=REGISTER_CHECK_SCHEMA)
    return tables


def prepare() -> None:
    """The published figures read, England's prevalences ordered and grouped by PCN and ICB, and the
    expected-register model fitted on them (all kept for `compute`)."""
    ref = load_reference()
    ref.prevalences()  # each is worked out on first use and kept on the reference
    ref.with_register_in("pcn", "")
    expected_model(ref)


FEATURE = Feature("benchmarks", compute, prepare=prepare)
