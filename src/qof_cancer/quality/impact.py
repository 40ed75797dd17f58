"""What each fault costs: the indicators re-run for every flagged patient with that fault undone.

Each (check, patient) with an undo becomes a *virtual patient* `check|patient_id`: a copy of the patient
(with a date of death or registration end cleared for the two checks that are about them) and of their
records, less the faulty records and plus the correcting ones. The engine's own compiled query runs once
over all virtual patients, reading `dq_vpatients` and `dq_vevents` in place of `patients` and `events`,
and each virtual patient's outcomes are compared with the real patient's. One grouped pass, however
many checks and patients, on the run's engine; nothing else on the backend changes.

The rules run on the virtual patients as a scenario of the run's store (`dq_fixed`), the one way any
feature evaluates the rules on other data.
"""

from __future__ import annotations

from qof_cancer.engine.run import Run
from qof_cancer.quality.checks import CHECKS, PatientEdit
from qof_cancer.quality.sql_text import in_list, quoted
from qof_cancer.quality.work_tables import WorkTables

__all__ = ["compute_impacts", "NO_CHANGE"]

NO_CHANGE = "no change to this year's outcomes"
_SEP = "|"


def _patient_edits() -> dict[str, PatientEdit]:
    """The checks about a patient date, by name: the column the re-run clears and the impact's prefix."""
    return {c.name: c.clears for c in CHECKS if c.clears is not None}


def _clear(column: str) -> str:
    checks = [name for name, edit in _patient_edits().items() if edit.column == column]
    return f"CASE WHEN t.check_name IN {in_list(checks)} THEN NULL ELSE p.{column} END AS {column}"


def compute_impacts(tables: WorkTables, store: Run) -> None:
    """Create `dq_impact(check_name, patient_id, impact, changed)` from `dq_findings`, the rules evaluated
    on the virtual patients as the store's scenario `dq_fixed`."""
    edits = _patient_edits()
    tables.materialize(
        "dq_targets",
        "SELECT DISTINCT check_name, patient_id, "
        f"check_name || '{_SEP}' || patient_id AS vid FROM dq_findings WHERE rule_impact IS NULL "
        f"AND (drop_event OR fix_code IS NOT NULL OR check_name IN {in_list(tuple(edits))})",
    )
    tables.materialize(
        "dq_vpatients",
        "SELECT t.vid AS patient_id, p.practice_code, p.pcn_code, p.registration_start, "
        f"{_clear('registration_end')}, {_clear('date_of_death')} "
        "FROM dq_targets t JOIN patients p ON p.patient_id = t.patient_id",
    )
    tables.materialize(
        "dq_vevents",
        "SELECT t.vid AS patient_id, e.code, e.date, e.episode FROM dq_targets t "
        "JOIN dq_events e ON e.patient_id = t.patient_id "
        "LEFT JOIN (SELECT DISTINCT check_name, patient_id, event_id FROM dq_findings WHERE drop_event) x "
        "ON x.check_name = t.check_name AND x.patient_id = t.patient_id AND x.event_id = e.event_id "
        "WHERE x.event_id IS NULL "
        f"UNION ALL SELECT f.check_name || '{_SEP}' || f.patient_id, f.fix_code, f.fix_date, "
        "CAST(NULL AS VARCHAR) FROM dq_findings f WHERE f.rule_impact IS NULL AND f.fix_code IS NOT NULL",
    )
    fixed = store.scenario("dq_fixed", patients="dq_vpatients", events="dq_vevents")
    ruleset = fixed.ruleset

    register = ruleset.register.id
    indicators = ", ".join(f"({quoted(i.id)}, {n})" for n, i in enumerate(ruleset.indicators))

    def state(column: str) -> str:
        return (
            f"CASE WHEN c.indicator = {quoted(register)} THEN CASE WHEN {column} IS NULL THEN "
            f"'not on the register' ELSE 'on the register' END ELSE COALESCE({column}, 'not on the register') END"
        )

    phrase = (
        "c.indicator || ': ' || CASE WHEN c.check_name = 'local_code' THEN "
        f"{state('c.now')} || ' here, ' || {state('c.fixed')} || ' in the national extraction' "
        f"ELSE {state('c.now')} || ' instead of ' || {state('c.fixed')} END"
    )
    prefixes = " ".join(f"WHEN {quoted(name)} THEN {quoted(e.impact_prefix)}" for name, e in edits.items())
    tables.materialize(
        "dq_impact",
        f"WITH i(indicator, ord) AS (VALUES {indicators}), "
        "c AS (SELECT t.check_name, t.patient_id, t.vid, i.indicator, i.ord, n.outcome AS now, "
        "f.outcome AS fixed FROM dq_targets t CROSS JOIN i "
        "LEFT JOIN outcomes n ON n.patient_id = t.patient_id AND n.indicator = i.indicator "
        f"LEFT JOIN {fixed.table} f ON f.patient_id = t.vid AND f.indicator = i.indicator) "
        "SELECT c.check_name, c.patient_id, "
        f"CASE c.check_name {prefixes} ELSE '' END || COALESCE(string_agg({phrase}, '; ' ORDER BY c.ord) "
        f"FILTER (WHERE c.now IS DISTINCT FROM c.fixed), {quoted(NO_CHANGE)}) AS impact, "
        "bool_or(c.now IS DISTINCT FROM c.fixed) AS changed "
        "FROM c GROUP BY c.check_name, c.patient_id",
    )
