"""Cancer recorded only with a morphology or practice-local code, none from CAN_COD.

The impact re-run adds the suggested CAN_COD code on the record's date.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import latest_cancer_like
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, label, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    detail = (
        f"{label('m.code', 't.term')} || ' on ' || {as_text('m.date')} || CASE m.kind WHEN 'local' THEN "
        "' is a practice-local code' ELSE ' is a morphology code (the tumour''s histology)' END || "
        "', not a CAN_COD diagnosis code, and the patient has no CAN_COD code: they are not on the cancer "
        "register.'"
    )
    fix = (
        "'Record the cancer with a CAN_COD diagnosis code dated when it was diagnosed' || CASE WHEN "
        f"m.suggested IS NOT NULL THEN ', for example ' || {label('m.suggested', 'st.term')} || "
        "' (the code for the primary site where it is known)' ELSE ' (the code for the primary site)' END || '.'"
    )
    return (
        record_finding(
            "cancer_code_not_in_can_cod",
            "m",
            detail=detail,
            fix=fix,
            fix_code="m.fix_code",
            fix_date="m.date",
        )
        + f" FROM ({latest_cancer_like(('morphology', 'local'))}) m LEFT JOIN dq_terms t ON t.code = m.code "
        "LEFT JOIN dq_terms st ON st.code = m.suggested"
    )


CHECK = Check(
    "cancer_code_not_in_can_cod",
    "Cancer recorded only with a code outside CAN_COD (a morphology or local code): not on the register",
    "computed",
    build=build,
)
