"""The same cancer coded again within the duplicate interval (same code, or same cancer site).

Each repeat restarts the review and support windows while it is the latest CAN_COD record; the
impact re-run drops the repeat.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import repeated_diagnoses, same_cancer_words
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, days_text, label, plus, quoted, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    window = reading.settings.duplicate_interval
    detail = (
        f"{label('r.code', 't.term')} || ' on ' || {as_text('r.date')} || ' repeats ' || {same_cancer_words()} || ' of ' || "
        f"{as_text('r.prev_date')} || ', ' || "
        + days_text("date_diff('day', r.prev_date, r.date)")
        + " || ' earlier' || "
        "CASE WHEN r.date = cd.can_dat THEN '; it sets the diagnosis date (CAN_DAT), so the review and "
        "support windows start again from ' || " + as_text("r.date") + " || '.' "
        "ELSE '; a later record sets CAN_DAT now, but each repeat restarts the windows while it is the "
        "latest.' END"
    )
    fix = quoted(
        "If this is the same cancer, delete the repeat or record it with episode 'review' (or use a review "
        "or letter code), so the first diagnosis date stands. If it is a new primary or a recurrence, "
        "leave it."
    )
    return (
        record_finding(
            "duplicate_diagnosis",
            "r",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + f" FROM ({repeated_diagnoses(loose=True)}) r JOIN dq_cd cd ON cd.patient_id = r.patient_id "
        "LEFT JOIN dq_terms t ON t.code = r.code LEFT JOIN dq_terms pt ON pt.code = r.prev_code "
        "LEFT JOIN dq_sites pt_site ON pt_site.code = r.prev_code "
        f"WHERE r.date > r.prev_date AND r.date <= {plus('r.prev_date', window)}"
    )


CHECK = Check(
    "duplicate_diagnosis",
    "The same cancer coded again within the duplicate interval (same code or same cancer site)",
    "computed",
    build=build,
    moves_can_dat=True,
)
