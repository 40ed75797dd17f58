"""A cancer coded again long after its first code (beyond the duplicate interval) sets CAN_DAT.

It may be a real recurrence, so the fix says to leave it then; the impact re-run drops the recode.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import repeated_diagnoses, same_cancer_words
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import (
    as_text,
    date_literal,
    label,
    months_between,
    plus,
    record_finding,
)


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    window = reading.settings.duplicate_interval
    floor = date_literal(reading.register_floor)
    detail = (
        f"{label('r.code', 't.term')} || ' on ' || {as_text('r.date')} || ' sets the diagnosis date (CAN_DAT) and "
        f"repeats ' || {same_cancer_words()} || ' of ' || {as_text('r.prev_date')} || ' (' || "
        + as_text(months_between("r.prev_date", "r.date"))
        + " || ' months earlier)' || "
        f"CASE WHEN r.first_date < {floor} THEN '; the cancer was first coded on ' || {as_text('r.first_date')} || "
        f"', before the register began on {reading.register_floor.isoformat()}: without this record the "
        "patient would not be on the register' ELSE '' END || '.'"
    )
    fix = (
        "'If this is the same cancer entered again (from a letter, a summary or at registration), delete "
        "it or record it with episode ''review'', so the diagnosis date stays ' || "
        + as_text("r.prev_date")
        + " || '. If it is a recurrence or a new primary, it is right: leave it.'"
    )
    return (
        record_finding(
            "recoded_diagnosis",
            "r",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + f" FROM ({repeated_diagnoses(loose=False)}) r JOIN dq_cd cd ON cd.patient_id = r.patient_id AND r.date = cd.can_dat "
        "LEFT JOIN dq_terms t ON t.code = r.code LEFT JOIN dq_terms pt ON pt.code = r.prev_code "
        "LEFT JOIN dq_sites pt_site ON pt_site.code = r.prev_code "
        f"WHERE r.date > {plus('r.prev_date', window)}"
    )


CHECK = Check(
    "recoded_diagnosis",
    "A cancer coded again long after its first code sets the diagnosis date (CAN_DAT)",
    "computed",
    build=build,
    moves_can_dat=True,
)
