"""Basal or squamous cell carcinoma of the skin with no CAN_COD code: outside the register by
definition, unless the histology showed another cancer. The impact is stated from the rules.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import latest_cancer_like
from qof_cancer.quality.codes import NMSC_KINDS
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, label, quoted, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    detail = (
        f"{label('m.code', 't.term')} || ' on ' || {as_text('m.date')} || CASE m.kind WHEN "
        "'skin_cancer_unspecified' THEN ': a skin cancer code that does not say which skin cancer' ELSE "
        "': non-melanoma skin cancer, which the cancer register leaves out by definition' END || '; the "
        "patient has no CAN_COD code.'"
    )
    fix = quoted(
        "Nothing to do if it is a basal cell or squamous cell carcinoma of the skin. If the histology showed "
        "a melanoma, a Merkel cell carcinoma or another cancer, record that with its CAN_COD code."
    )
    return (
        record_finding(
            "skin_cancer_not_on_register",
            "m",
            detail=detail,
            fix=fix,
            rule_impact=quoted(
                f"none if it is a basal or squamous cell carcinoma of the skin; otherwise {reading.register_id}: "
                "missing from the register"
            ),
        )
        + f" FROM ({latest_cancer_like(NMSC_KINDS)}) m LEFT JOIN dq_terms t ON t.code = m.code"
    )


CHECK = Check(
    "skin_cancer_not_on_register",
    "Basal or squamous cell carcinoma of the skin, no CAN_COD code: outside the register by definition",
    "rule",
    build=build,
)
