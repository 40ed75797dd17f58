"""Row-level checks on the two input tables, as data: column, test, reason, and what happens to the row.

Each check is a SQL condition that is true when the row is bad. `reject` drops the row (and says so in
rejects.csv); `ignore` keeps the row but treats the value as absent. Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Check",
    "PATIENT_CHECKS",
    "EVENT_CHECKS",
    "PATIENT_REQUIRED",
    "EVENT_REQUIRED",
    "SEXES",
    "EPISODES",
    "DATE_PATTERN",
]

PATIENT_REQUIRED = ("patient_id", "practice_code", "date_of_birth", "sex", "registration_start")
EVENT_REQUIRED = ("patient_id", "code", "date")
SEXES = ("F", "M", "I", "U")
EPISODES = ("first", "new", "review", "ended", "changed", "evolved", "flare-up")
DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class Check:
    column: str
    bad: str  # SQL, over the staged columns; true when the row fails
    reason: str
    action: str = "reject"  # or "ignore": keep the row, treat the value as absent


def _date_checks(column: str, required: bool) -> list[Check]:
    out = []
    if required:
        out.append(Check(column, f"t_{column} IS NULL", "required value missing"))
    out.append(
        Check(column, f"t_{column} IS NOT NULL AND d_{column} IS NULL", "not a date (expected YYYY-MM-DD)")
    )
    out.append(Check(column, f"d_{column} > $today", "date is in the future"))
    return out


PATIENT_CHECKS: tuple[Check, ...] = (
    Check("patient_id", "t_patient_id IS NULL", "required value missing"),
    Check("patient_id", "n_patient_id > 1", "patient_id appears more than once in the patients file"),
    Check("practice_code", "t_practice_code IS NULL", "required value missing"),
    *_date_checks("date_of_birth", True),
    Check("sex", "t_sex IS NULL", "required value missing"),
    Check("sex", f"t_sex IS NOT NULL AND upper(t_sex) NOT IN {SEXES}", "sex must be F, M, I or U"),
    *_date_checks("registration_start", True),
    Check("registration_start", "d_registration_start < d_date_of_birth", "date is before the date of birth"),
    *_date_checks("registration_end", False),
    Check(
        "registration_end", "d_registration_end < d_registration_start", "registration ends before it starts"
    ),
    *_date_checks("date_of_death", False),
    Check("date_of_death", "d_date_of_death < d_date_of_birth", "date is before the date of birth"),
    Check(
        "nhs_number",
        "t_nhs_number IS NOT NULL AND NOT nhs_ok",
        "not a valid NHS number (10 digits with a modulus-11 check digit)",
        "ignore",
    ),
    Check(
        "imd_quintile",
        "t_imd_quintile IS NOT NULL AND t_imd_quintile NOT IN ('1','2','3','4','5')",
        "deprivation quintile must be 1 to 5",
        "ignore",
    ),
)

EVENT_CHECKS: tuple[Check, ...] = (
    Check("patient_id", "t_patient_id IS NULL", "required value missing"),
    Check(
        "patient_id",
        "t_patient_id IS NOT NULL AND p_state IS NULL",
        "unknown patient: not in the patients file",
    ),
    Check("patient_id", "p_state = 'rejected'", "the patient's row in the patients file was rejected"),
    Check("code", "t_code IS NULL", "required value missing"),
    Check("code", "t_code IS NOT NULL AND bad_code IS NOT NULL", "bad_code"),
    *_date_checks("date", True),
    Check("date", "d_date < p_date_of_birth", "date is before the patient's date of birth"),
    Check(
        "episode",
        # The exact test first: lower() copies every string, and most episodes are already lower case.
        f"t_episode IS NOT NULL AND t_episode NOT IN {EPISODES} AND lower(t_episode) NOT IN {EPISODES}",
        "episode must be one of " + ", ".join(EPISODES),
    ),
    Check(
        "value",
        "t_value IS NOT NULL AND n_value IS NULL",
        "value is not a number",
        "ignore",
    ),
)
