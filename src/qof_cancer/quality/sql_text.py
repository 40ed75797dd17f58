"""The small SQL-text helpers the data-quality checks share.

The checks write DuckDB-dialect SQL text, which the run's backend renders for its engine with sqlglot
(see inputs/backends.py), as `inputs/validate.py` does. Every value put into the text is a date object, a
number, or a cluster, indicator or check name from the rule files, quoted by `quoted`; no input data is
ever formatted into SQL. Only functions sqlglot renders for every engine are used here (no DuckDB
macros).
"""

from __future__ import annotations

from datetime import date

from qof_cancer.inputs.backends import sql_string
from qof_cancer.model.dates import Duration

__all__ = [
    "FINDING_COLUMNS",
    "as_text",
    "date_literal",
    "days_text",
    "finding",
    "first_picked",
    "in_list",
    "label",
    "minus",
    "months_between",
    "numbered",
    "plus",
    "quoted",
]


def date_literal(day: date) -> str:
    """A DATE literal (from a date object, never from input text)."""
    return f"DATE '{day.isoformat()}'"


quoted = sql_string  # a quoted SQL string


def in_list(values: tuple[str, ...] | list[str]) -> str:
    """`(a, b, ...)` of quoted strings; `(NULL)`, which matches nothing, when there are none."""
    return "(" + ", ".join(quoted(v) for v in values) + ")" if values else "(NULL)"


def _interval(duration: Duration) -> str:
    unit = "MONTH" if duration.unit == "months" else "DAY"
    return f"INTERVAL {int(duration.amount)} {unit}"


def plus(expr: str, duration: Duration) -> str:
    """`expr` moved on by `duration` (months clamp to the month's end, as in the indicators)."""
    return f"CAST({expr} + {_interval(duration)} AS DATE)"


def minus(expr: str, duration: Duration) -> str:
    """`expr` moved back by `duration`."""
    return f"CAST({expr} - {_interval(duration)} AS DATE)"


def as_text(expr: str) -> str:
    """Text of a value, for building sentences."""
    return f"CAST({expr} AS VARCHAR)"


def days_text(expr: str) -> str:
    """'1 day' or 'n days' for a whole number of days."""
    return f"{as_text(expr)} || CASE WHEN {expr} = 1 THEN ' day' ELSE ' days' END"


def label(code: str, term: str) -> str:
    """'term [code]', or the code alone when no term is known."""
    return f"CASE WHEN {term} IS NULL OR {term} = '' THEN {code} ELSE {term} || ' [' || {code} || ']' END"


# The columns of a finding, in the order `sql_text.finding` selects them. A row with `rule_impact` set
# states its impact from the rules; otherwise the impact re-run undoes the fault: drop the record
# (`drop_event`), add a record `fix_code` on `fix_date`, or clear a patient date (`Check.clears`).
FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("check_name", "VARCHAR"),
    ("patient_id", "VARCHAR"),
    ("event_id", "BIGINT"),
    ("code", "VARCHAR"),
    ("date", "DATE"),
    ("detail", "VARCHAR"),
    ("suggested_fix", "VARCHAR"),
    ("rule_impact", "VARCHAR"),
    ("drop_event", "BOOLEAN"),
    ("fix_code", "VARCHAR"),
    ("fix_date", "DATE"),
)
_FINDING = (
    "SELECT {check} AS check_name, {patient} AS patient_id, {event} AS event_id, {code} AS code, "
    "{date} AS date, {detail} AS detail, {fix} AS suggested_fix, {rule_impact} AS rule_impact, "
    "{drop} AS drop_event, {fix_code} AS fix_code, CAST({fix_date} AS DATE) AS fix_date"
)


def finding(
    check: str,
    *,
    patient: str,
    event: str,
    code: str,
    date: str,
    detail: str,
    fix: str,
    rule_impact: str = "CAST(NULL AS VARCHAR)",
    drop: str = "FALSE",
    fix_code: str = "CAST(NULL AS VARCHAR)",
    fix_date: str = "NULL",
) -> str:
    """The SELECT list of one finding row (the columns of `FINDING_COLUMNS`, in order)."""
    return _FINDING.format(
        check=quoted(check),
        patient=patient,
        event=event,
        code=code,
        date=date,
        detail=detail,
        fix=fix,
        rule_impact=rule_impact,
        drop=drop,
        fix_code=fix_code,
        fix_date=fix_date,
    )


def record_finding(check: str, record: str, *, date: str | None = None, **columns: str) -> str:
    """`finding` about one record of table alias `record` (its patient, event row, code and date, or
    another `date` column); the other columns as `finding` takes them."""
    return finding(
        check,
        patient=f"{record}.patient_id",
        event=f"{record}.event_id",
        code=f"{record}.code",
        date=date or f"{record}.date",
        **columns,
    )


def numbered(partition: str, order: str) -> str:
    """A `pick` column to add to a SELECT list: the row's place in its `partition` by `order`."""
    return f", row_number() OVER (PARTITION BY {partition} ORDER BY {order}) AS pick"


def first_picked(select: str) -> str:
    """The finding rows of `select` (a finding with a `numbered` column) that come first in their
    partition: a window in place of DuckDB's QUALIFY, which not every engine has."""
    columns = ", ".join(name for name, _ in FINDING_COLUMNS)
    return f"SELECT {columns} FROM ({select}) AS picked WHERE pick = 1"


def months_between(start: str, end: str) -> str:
    """Calendar months from `start` to `end`, counted by month boundaries (as DuckDB's date_diff)."""
    return (
        f"((EXTRACT(YEAR FROM {end}) - EXTRACT(YEAR FROM {start})) * 12 "
        f"+ EXTRACT(MONTH FROM {end}) - EXTRACT(MONTH FROM {start}))"
    )
