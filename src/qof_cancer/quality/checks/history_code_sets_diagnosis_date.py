"""A "History of" cancer code sets the diagnosis date (CAN_DAT), so an old cancer looks new.

Where an earlier diagnosis code records the same cancer, the impact re-run drops the "History of" code;
without one the real date is not in the record and the impact is stated instead.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, days_text, label, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    first = "f.first_date"
    detail = (
        f"{label('h.code', 't.term')} || ' on ' || {as_text('h.date')} || ' sets the diagnosis date (CAN_DAT)' || "
        "CASE WHEN h.date BETWEEN p.registration_start AND p.registration_start + 90 THEN ', ' || "
        + days_text("date_diff('day', p.registration_start, h.date)")
        + " || ' after the patient registered on ' || "
        + as_text("p.registration_start")
        + " ELSE '' END || "
        f"CASE WHEN {first} IS NOT NULL THEN '; the cancer was first coded on ' || {as_text(first)} "
        "ELSE '; no earlier diagnosis code is in the record' END || "
        "': a past cancer counts as newly diagnosed on ' || " + as_text("h.date") + " || '.'"
    )
    fix = (
        f'CASE WHEN {first} IS NOT NULL THEN \'Delete the "History of" code or record it with episode '
        "''review'': the diagnosis code of ' || " + as_text(first) + " || ' already records this cancer.' "
        "ELSE 'Record the cancer with its CAN_COD diagnosis code dated when it was diagnosed (from the "
        "previous practice''s records or a hospital letter), in place of the \"History of\" code.' END"
    )
    rule_impact = (
        f"CASE WHEN {first} IS NULL THEN 'not computed: the real diagnosis date is not in the record; dated "
        f"correctly, the diagnosis would most likely be out_of_scope for {' and '.join(reading.ratio_ids)}' END"
    )
    return (
        record_finding(
            "history_code_sets_diagnosis_date",
            "h",
            detail=detail,
            fix=fix,
            rule_impact=rule_impact,
            drop=f"{first} IS NOT NULL",
        )
        + " FROM dq_dx h JOIN dq_cd cd ON cd.patient_id = h.patient_id AND h.date = cd.can_dat "
        "JOIN dq_pop p ON p.patient_id = h.patient_id "
        "LEFT JOIN (SELECT patient_id, MIN(date) AS first_date FROM dq_dx WHERE counts AND NOT history "
        "GROUP BY patient_id) f ON f.patient_id = h.patient_id "
        "LEFT JOIN dq_terms t ON t.code = h.code "
        "WHERE h.counts AND h.history AND NOT EXISTS (SELECT 1 FROM dq_dx y WHERE y.patient_id = h.patient_id "
        "AND y.counts AND NOT y.history AND y.date = h.date)"
    )


CHECK = Check(
    "history_code_sets_diagnosis_date",
    'A "History of" cancer code sets the diagnosis date (CAN_DAT): an old cancer looks new',
    "computed",
    build=build,
    moves_can_dat=True,
)
