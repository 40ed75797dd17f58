"""What each fault costs: the indicators re-run for every flagged patient with that fault undone.

Each (check, patient) with an undo becomes a *virtual patient* `check|patient_id`: a copy of the patient
(with a date of death or registration end cleared for the two checks that are about them) and of their
records, less the faulty records and plus the correcting ones. The engine's own compiled query runs once
over all virtual patients, reading `dq_vpatients` and `dq_vevents` in place of `patients` and `events`,
and each virtual patient's outcomes are compared with the real patient's. One grouped pass, however
many checks and patients; nothing else on the connection changes.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from qof_cancer.engine.compiler import compile_run
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period
from qof_cancer.quality.checks import PATIENT_EDITS
from qof_cancer.quality.plan import in_list, s

__all__ = ["compute_impacts", "NO_CHANGE"]

NO_CHANGE = "no change to this year's outcomes"
_SEP = "|"


def _retarget(tree: exp.Expression, tables: dict[str, str]) -> exp.Expression:
    """The same query reading other base tables (CTE names differ from these, so only tables change)."""

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.args.get("db") and node.name in tables:
            node = node.copy()
            node.set("this", exp.to_identifier(tables[node.name]))
        return node

    return tree.transform(rename)


def _clear(column: str) -> str:
    checks = [name for name, (field, _) in PATIENT_EDITS.items() if field == column]
    return f"CASE WHEN t.check_name IN {in_list(checks)} THEN NULL ELSE p.{column} END AS {column}"


def compute_impacts(con: duckdb.DuckDBPyConnection, ruleset: RuleSet, period: Period) -> None:
    """Create `dq_impact(check_name, patient_id, impact, changed)` from `dq_findings`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_targets AS SELECT DISTINCT check_name, patient_id, "
        f"check_name || '{_SEP}' || patient_id AS vid FROM dq_findings WHERE rule_impact IS NULL "
        f"AND (drop_event OR fix_code IS NOT NULL OR check_name IN {in_list(tuple(PATIENT_EDITS))})"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_vpatients AS SELECT t.vid AS patient_id, p.practice_code, "
        "p.pcn_code, p.registration_start, "
        f"{_clear('registration_end')}, {_clear('date_of_death')} "
        "FROM dq_targets t JOIN patients p ON p.patient_id = t.patient_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_vevents AS "
        "SELECT t.vid AS patient_id, e.code, e.date, e.episode FROM dq_targets t "
        "JOIN events e ON e.patient_id = t.patient_id "
        "LEFT JOIN (SELECT DISTINCT check_name, patient_id, event_id FROM dq_findings WHERE drop_event) x "
        "ON x.check_name = t.check_name AND x.patient_id = t.patient_id AND x.event_id = e.rowid "
        "WHERE x.event_id IS NULL "
        f"UNION ALL SELECT f.check_name || '{_SEP}' || f.patient_id, f.fix_code, f.fix_date, NULL "
        "FROM dq_findings f WHERE f.rule_impact IS NULL AND f.fix_code IS NOT NULL"
    )
    tree = _retarget(
        compile_run(ruleset, period).outcomes, {"patients": "dq_vpatients", "events": "dq_vevents"}
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE dq_voutcomes AS {tree.sql('duckdb')}")

    register = ruleset.register.id
    indicators = ", ".join(f"({s(i.id)}, {n})" for n, i in enumerate(ruleset.indicators))

    def state(column: str) -> str:
        return (
            f"CASE WHEN c.indicator = {s(register)} THEN CASE WHEN {column} IS NULL THEN "
            f"'not on the register' ELSE 'on the register' END ELSE COALESCE({column}, 'not on the register') END"
        )

    phrase = (
        "c.indicator || ': ' || CASE WHEN c.check_name = 'local_code' THEN "
        f"{state('c.now')} || ' here, ' || {state('c.fixed')} || ' in the national extraction' "
        f"ELSE {state('c.now')} || ' instead of ' || {state('c.fixed')} END"
    )
    prefixes = " ".join(f"WHEN {s(name)} THEN {s(prefix)}" for name, (_, prefix) in PATIENT_EDITS.items())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_impact AS "
        f"WITH i(indicator, ord) AS (VALUES {indicators}), "
        "c AS (SELECT t.check_name, t.patient_id, t.vid, i.indicator, i.ord, n.outcome AS now, "
        "f.outcome AS fixed FROM dq_targets t CROSS JOIN i "
        "LEFT JOIN outcomes n ON n.patient_id = t.patient_id AND n.indicator = i.indicator "
        "LEFT JOIN dq_voutcomes f ON f.patient_id = t.vid AND f.indicator = i.indicator) "
        "SELECT c.check_name, c.patient_id, "
        f"CASE c.check_name {prefixes} ELSE '' END || COALESCE(string_agg({phrase}, '; ' ORDER BY c.ord) "
        f"FILTER (WHERE c.now IS DISTINCT FROM c.fixed), {s(NO_CHANGE)}) AS impact, "
        "bool_or(c.now IS DISTINCT FROM c.fixed) AS changed "
        "FROM c GROUP BY c.check_name, c.patient_id"
    )
