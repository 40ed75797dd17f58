"""Records dated after the date of death (any record, any date).

The impact re-run clears the date of death: if it is wrong, this is what changes.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check, PatientEdit
from qof_cancer.quality.checks.shared import records_after
from qof_cancer.quality.reading import RuleReading


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    return records_after(
        "record_after_death",
        "date_of_death",
        "the date of death",
        "Check the patient: if the date of death is wrong, correct it; if the records belong to someone "
        "else, move them to the right patient.",
    )


CHECK = Check(
    "record_after_death",
    "Records dated after the date of death",
    "computed",
    build=build,
    clears=PatientEdit("date_of_death", "if the date of death is wrong: "),
)
