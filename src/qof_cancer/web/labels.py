"""Words for the dashboard: column names, worklist lists and outcomes as a practice team reads them.

Outcome words come from the one mapping the report uses (`outputs.report_data.OUTCOME_WORDS`, keyed by
the model's outcome names); list words are keyed by `worklist.lists.LISTS`. A column without an entry
reads as its name with spaces ("days_left" -> "Days left"), so a new column is never shown as code.
"""

from __future__ import annotations

from qof_cancer.outputs.report_data import OUTCOME_WORDS

__all__ = ["COLUMN_LABELS", "LIST_LABELS", "LIST_HELP", "OUTCOME_LABELS", "column_label", "list_label"]

OUTCOME_LABELS = {
    "met": "Met",
    "not_met": "Not met",
    "register": "On the register",
    "not_on_register": "Not on the register",
    **OUTCOME_WORDS,
}

LIST_LABELS = {
    "support_contact": "Support contact",
    "care_review": "Cancer Care Review",
    "missed": "Missed: window closed",
    "pca_housekeeping": "PCA to re-record",
}
LIST_HELP = {
    "support_contact": "Contact the patient to offer support (CAN005), as soon after the diagnosis as you can.",
    "care_review": "Invite the patient to a Cancer Care Review (CAN004) and hold it by the deadline.",
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


def list_label(name: str | None) -> str:
    """A worklist list's name in words."""
    return LIST_LABELS.get(name or "", name or "–")
