"""The data-quality checks by name: stable identifiers with a one-line title, for tables, reports and docs.

The names are part of the output contract (`data_quality.csv` column `check`); docs/data-quality.md
explains each one, why it costs achievement and how to fix it (a test keeps the two in step). The SQL
checks come from their own modules (quality/checks/); the two counted from the load's rejects are here.
"""

from __future__ import annotations

from qof_cancer.quality.checks import CHECKS, CheckInfo

__all__ = ["CheckInfo", "CHECKS", "REJECT_CHECKS", "REJECT_REASONS", "check_info"]

# Counted from the rejects table of the load (the rows never reach the events table).
REJECT_CHECKS: tuple[CheckInfo, ...] = (
    CheckInfo("rejected_date_in_future", "Input rows dated in the future (rejected at load)", "rule"),
    CheckInfo(
        "rejected_date_before_birth", "Input rows dated before the date of birth (rejected at load)", "rule"
    ),
)
# The load's reasons (rejects.reason) each reject check counts.
REJECT_REASONS: dict[str, tuple[str, ...]] = {
    "rejected_date_in_future": ("date is in the future",),
    "rejected_date_before_birth": (
        "date is before the date of birth",
        "date is before the patient's date of birth",
    ),
}


def check_info(name: str) -> CheckInfo:
    """The catalogue entry for `name`."""
    for info in CHECKS + REJECT_CHECKS:
        if info.name == name:
            return info
    raise KeyError(name)
