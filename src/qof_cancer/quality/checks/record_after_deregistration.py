"""Records dated after the registration ended (and not after a death).

The impact re-run clears the registration end: if the patient is still registered, this is what
changes.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check, PatientEdit
from qof_cancer.quality.checks.shared import records_after
from qof_cancer.quality.reading import RuleReading


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    return records_after(
        "record_after_deregistration",
        "registration_end",
        "the registration ended",
        "Check the records: entries after the patient left are usually on the wrong patient or carry a "
        "wrong date. If the patient is still registered, correct the registration end.",
        extra="AND (p.date_of_death IS NULL OR e.date <= p.date_of_death)",
    )


CHECK = Check(
    "record_after_deregistration",
    "Records dated after the registration ended",
    "computed",
    build=build,
    clears=PatientEdit("registration_end", "if the patient is still registered: "),
)
