"""Words for the dashboard: column names, worklist lists and outcomes as a practice team reads them.

Outcome words come from the one mapping the report uses (`outputs.report_data.OUTCOME_WORDS`, keyed by
the model's outcome names). An indicator's worklist list is named by the indicator itself (its rule
file's `worklist:` section); only the lists every run has are named here. A column without an entry
reads as its name with spaces ("days_left" -> "Days left"), so a new column is never shown as code.
"""

from __future__ import annotations

from collections.abc import Mapping

from qof_cancer.model.ruleset import RuleSet
from qof_cancer.outputs.report_data import OUTCOME_WORDS
from qof_cancer.worklist.lists import worklist_lists

__all__ = [
    "COLUMN_LABELS",
    "GENERIC_LIST_LABELS",
    "GENERIC_LIST_HELP",
    "OUTCOME_LABELS",
    "column_label",
    "list_label",
    "list_labels",
    "list_help",
]

OUTCOME_LABELS = {
    "met": "Met",
    "not_met": "Not met",
    "register": "On the register",
    "not_on_register": "Not on the register",
    **OUTCOME_WORDS,
}

GENERIC_LIST_LABELS = {
    "missed": "Missed: window closed",
    "pca_housekeeping": "PCA to re-record",
}
GENERIC_LIST_HELP = {
    "missed": "The window closed: these count as not met this year. Still worth offering, for the patient's sake.",
    "pca_housekeeping": "A PCA recorded last year lapses with the QOF year: re-record it if it still applies.",
}

COLUMN_LABELS = {
    "list": "List",
    "level": "Level",
    "scenario": "Scenario",
    "practice_code": "Practice",
    "pcn_code": "PCN",
    "patient_id": "Patient",
    "nhs_number": "NHS number",
    "indicator": "Indicator",
    "action": "Next step",
    "step_from": "From",
    "step_by": "Do by",
    "due_date": "Deadline",
    "days_left": "Days left",
    "window_end": "Window ends",
    "diagnosis_date": "Diagnosed",
    "can_dat": "Diagnosed (CAN_DAT)",
    "reg_dat": "Registered",
    "value_gbp": "Worth (£)",
    "payment_gbp": "£",
    "send_now": "Message ready",
    "mobile_usable": "Can be texted",
    "mobile_phone": "Mobile",
    "record_code": "Code to record",
    "record_term": "Term",
    "record_cluster": "Cluster",
    "outcome": "Outcome",
    "outcome_if_nothing_recorded": "If nothing is recorded",
    "outcome_if_done": "If done",
    "changes_outcome": "Changes the outcome",
    "achievement_pct": "Achievement %",
    "prevalence_pct": "Prevalence %",
    "pca_this_year": "PCA this year",
    "note": "Note",
}


def column_label(column: str) -> str:
    """A column's heading in words."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def list_labels(ruleset: RuleSet) -> dict[str, str]:
    """Every list of a run's worklist, key -> its name in words: the indicators' lists, then the rest."""
    return {**{spec.list: spec.name for spec in worklist_lists(ruleset)}, **GENERIC_LIST_LABELS}


def list_help(ruleset: RuleSet) -> dict[str, str]:
    """Every list of a run's worklist, key -> one line on what to do."""
    return {**{spec.list: spec.help for spec in worklist_lists(ruleset)}, **GENERIC_LIST_HELP}


def list_label(name: str | None, labels: Mapping[str, str] = GENERIC_LIST_LABELS) -> str:
    """A worklist list's name in words (`labels`: the run's, from `list_labels`)."""
    return labels.get(name or "", name or "–")
