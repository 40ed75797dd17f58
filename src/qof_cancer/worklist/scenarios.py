"""Year-end scenarios: the real engine, re-run at ACH = PPED on the run's own connection.

Nothing here knows a rule. Each scenario is a schema holding its own `patients` and `events` tables; the
compiled rules read them by name, so putting the schema first on DuckDB's search path makes the engine
read the scenario's tables (and the run's `cluster_codes`) without copying or changing the run's data.

- `as_is`: the data as known on ACH (records up to ACH; registrations and deaths after ACH unknown), run
  at PPED: the year end if nothing more is recorded.
- `done`: the same, plus one completing record (a Cancer Care Review, a support contact) per
  patient and indicator not yet met (and not settled in an earlier year, rule R1c), dated on the last day it can count this year, min(due date, PPED),
  when that is not before ACH: the year end if the worklist is completed. The engine then says who
  becomes `met`: that set *is* the worklist, so the worklist and the rules cannot disagree.
- `previous`: last QOF year at its PPED over the run's full data, for the PCA comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from qof_cancer.engine.evaluate import evaluate, outcome_counts
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.model.nodes import SETTLED_OUTCOMES
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period, QofYear

__all__ = ["Scenario", "run_scenarios", "previous_year", "evaluate_previous", "drop"]

AS_IS = "worklist_as_is"
DONE = "worklist_done"
PREVIOUS = "worklist_previous"
SCHEMAS = (AS_IS, DONE, PREVIOUS)


@dataclass(frozen=True)
class Scenario:
    """One engine run: its outcomes table (schema-qualified), list sizes and outcome counts."""

    name: str
    period: Period
    table: str
    sizes: dict[str, tuple[str | None, int]]
    counts: list[tuple[str, str, str, int]]


@contextmanager
def _reading(con: duckdb.DuckDBPyConnection, schema: str) -> Iterator[None]:
    """Resolve unqualified table names in `schema` first, then as before."""
    old = con.execute("SELECT current_setting('search_path')").fetchone()[0]
    con.execute(f"SET search_path = '{schema},{old or 'main'}'")
    try:
        yield
    finally:
        if old:
            con.execute(f"SET search_path = '{old}'")
        else:
            con.execute("RESET search_path")


def _d(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _evaluate(con: duckdb.DuckDBPyConnection, ruleset: RuleSet, name: str, period: Period) -> Scenario:
    table = f"{name}.outcomes"
    with _reading(con, name):
        sizes = evaluate(DuckDBBackend(con), ruleset, period, table=table)
    return Scenario(name, period, table, sizes, outcome_counts(DuckDBBackend(con), table))


def _snapshot(con: duckdb.DuckDBPyConnection, ach: date) -> None:
    """AS_IS.patients and AS_IS.events: the data as they stood on ACH."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {AS_IS}")
    con.execute(
        f"CREATE OR REPLACE TABLE {AS_IS}.patients AS SELECT * REPLACE ("
        f"CASE WHEN registration_end > {_d(ach)} THEN NULL ELSE registration_end END AS registration_end, "
        f"CASE WHEN date_of_death > {_d(ach)} THEN NULL ELSE date_of_death END AS date_of_death) "
        f"FROM patients WHERE registration_start <= {_d(ach)}"
    )
    con.execute(f"CREATE OR REPLACE TABLE {AS_IS}.events AS SELECT * FROM events WHERE date <= {_d(ach)}")


def _probes(
    con: duckdb.DuckDBPyConnection, codes: dict[str, str], period: Period, start: date | None
) -> None:
    """DONE.events: AS_IS.events plus one completing record per not-yet-met patient and indicator."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {DONE}")
    con.execute(f"CREATE OR REPLACE VIEW {DONE}.patients AS SELECT * FROM {AS_IS}.patients")
    probe_codes = pa.table(
        {"indicator": list(codes), "code": list(codes.values())},
        schema=pa.schema([("indicator", pa.string()), ("code", pa.string())]),
    )
    con.register("worklist_probe_codes", probe_codes)
    try:
        last_day = f"least(o.due_date, {_d(period.pped)})"
        # A closed year (start is None) takes no probes: nothing can be recorded in time any more.
        window = f"{last_day} >= {_d(start)}" if start is not None else "FALSE"
        # A patient whose review or support contact was counted in an earlier year is on no list.
        settled = ", ".join(f"'{o}'" for o in SETTLED_OUTCOMES)
        con.execute(
            f"CREATE OR REPLACE TABLE {DONE}.events AS "
            f"SELECT * FROM {AS_IS}.events UNION ALL BY NAME "
            f"SELECT o.patient_id, c.code, {last_day} AS date, CAST(NULL AS VARCHAR) AS episode, "
            "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit "
            f"FROM {AS_IS}.outcomes o JOIN worklist_probe_codes c ON c.indicator = o.indicator "
            f"WHERE o.outcome <> 'met' AND o.outcome NOT IN ({settled}) "
            f"AND o.due_date IS NOT NULL AND {window}"
        )
    finally:
        con.unregister("worklist_probe_codes")


def run_scenarios(
    con: duckdb.DuckDBPyConnection,
    ruleset: RuleSet,
    period: Period,
    codes: dict[str, str],
    start: date | None,
) -> tuple[Scenario, Scenario]:
    """(as_is, done) at PPED. `codes`: indicator -> a code of its completing cluster. `start`: the first
    day an action can be recorded (ACH), or None when the year is closed."""
    year_end = Period(period.year, period.pped)
    _snapshot(con, period.ach)
    as_is = _evaluate(con, ruleset, AS_IS, year_end)
    _probes(con, codes, period, start)
    done = _evaluate(con, ruleset, DONE, year_end)
    return as_is, done


def previous_year(ruleset: RuleSet, year: QofYear) -> QofYear | None:
    """The QOF year that ends the day before `year` starts, when the rule files have it."""
    return next((y for y in ruleset.years.values() if (year.ppsd - y.pped).days == 1), None)


def evaluate_previous(con: duckdb.DuckDBPyConnection, ruleset: RuleSet, year: QofYear) -> Scenario:
    """Last year at its PPED, over the run's full data (not the ACH snapshot)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {PREVIOUS}")
    table = f"{PREVIOUS}.outcomes"
    period = Period(year, year.pped)
    sizes = evaluate(DuckDBBackend(con), ruleset, period, table=table)
    return Scenario(PREVIOUS, period, table, sizes, outcome_counts(DuckDBBackend(con), table))


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the scenario schemas, so a database file is left as the run made it."""
    for schema in SCHEMAS:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
