"""The data-quality checks by name: stable identifiers with a one-line title, for tables, reports and docs.

The names are part of the output contract (`data_quality.csv` column `check`); docs/data-quality.md
explains each one, why it costs achievement and how to fix it (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckInfo", "CHECKS", "REJECT_CHECKS", "check_info"]


@dataclass(frozen=True)
class CheckInfo:
    """One check: its stable name, a one-line title, and whether its impact is computed by re-running the
    indicators without the fault ("computed") or stated from the rules ("rule")."""

    name: str
    title: str
    impact_basis: str


CHECKS: tuple[CheckInfo, ...] = (
    CheckInfo(
        "duplicate_diagnosis",
        "The same cancer coded again within the duplicate interval (same code or same cancer site)",
        "computed",
    ),
    CheckInfo(
        "history_code_sets_diagnosis_date",
        'A "History of" cancer code sets the diagnosis date (CAN_DAT): an old cancer looks new',
        "computed",
    ),
    CheckInfo(
        "recoded_diagnosis",
        "A cancer coded again long after its first code sets the diagnosis date (CAN_DAT)",
        "computed",
    ),
    CheckInfo(
        "diagnosis_only_before_2003",
        "Cancer coded only before 2003-04-01: not on the register",
        "rule",
    ),
    CheckInfo(
        "cancer_code_not_in_can_cod",
        "Cancer recorded only with a code outside CAN_COD (a morphology or local code): not on the register",
        "computed",
    ),
    CheckInfo(
        "skin_cancer_not_on_register",
        "Basal or squamous cell carcinoma of the skin, no CAN_COD code: outside the register by definition",
        "rule",
    ),
    CheckInfo(
        "care_without_diagnosis",
        "Cancer care review, support or PCA codes but no cancer diagnosis code at all",
        "rule",
    ),
    CheckInfo(
        "care_before_diagnosis",
        "A review or support record dated before the diagnosis date (CAN_DAT): it does not count",
        "rule",
    ),
    CheckInfo(
        "care_just_after_window",
        "A review or support record dated just after its window closed",
        "rule",
    ),
    CheckInfo(
        "pca_previous_year",
        "A PCA or invitation code recorded in the previous QOF year: it counts only in its own year",
        "computed",
    ),
    CheckInfo(
        "invitations_too_close",
        "Two invitations this year, but less than the required gap apart",
        "computed",
    ),
    CheckInfo(
        "local_code",
        "A practice-local code where a national code exists: the national extraction does not see it",
        "computed",
    ),
    CheckInfo(
        "placeholder_code",
        "A placeholder (example) code not in the national list in use: it does not count",
        "computed",
    ),
    CheckInfo(
        "record_after_death",
        "Records dated after the date of death",
        "computed",
    ),
    CheckInfo(
        "record_after_deregistration",
        "Records dated after the registration ended",
        "computed",
    ),
)

# Counted from the rejects table of the load (the rows never reach the events table).
REJECT_CHECKS: tuple[CheckInfo, ...] = (
    CheckInfo("rejected_date_in_future", "Input rows dated in the future (rejected at load)", "rule"),
    CheckInfo(
        "rejected_date_before_birth", "Input rows dated before the date of birth (rejected at load)", "rule"
    ),
)


def check_info(name: str) -> CheckInfo:
    """The catalogue entry for `name`."""
    for info in CHECKS + REJECT_CHECKS:
        if info.name == name:
            return info
    raise KeyError(name)
