"""The data-quality checks, one module per check, in catalogue order (the order of the output files).

Each module `checks/<name>.py` defines `CHECK`, a `base.Check` named `<name>` holding its title, how
its impact is found and the SQL that finds it; `base` and `shared` are the only other modules here. A
new check is a new module and its name in `ORDER` (a test fails when a module is missing from ORDER or
named differently from its check). docs/data-quality.md explains every check for users.
"""

from __future__ import annotations

from importlib import import_module

from qof_cancer.quality.checks.base import FINDING_COLUMNS, Check, CheckInfo, PatientEdit

__all__ = ["CHECKS", "FINDING_COLUMNS", "ORDER", "Check", "CheckInfo", "PatientEdit"]

# Catalogue order. The checks flagged `moves_can_dat` run first in any order: care_before_diagnosis
# reads their findings.
ORDER: tuple[str, ...] = (
    "duplicate_diagnosis",
    "history_code_sets_diagnosis_date",
    "recoded_diagnosis",
    "diagnosis_only_before_2003",
    "cancer_code_not_in_can_cod",
    "skin_cancer_not_on_register",
    "care_without_diagnosis",
    "care_before_diagnosis",
    "care_just_after_window",
    "pca_previous_year",
    "invitations_too_close",
    "local_code",
    "placeholder_code",
    "record_after_death",
    "record_after_deregistration",
)

CHECKS: tuple[Check, ...] = tuple(import_module(f"{__name__}.{name}").CHECK for name in ORDER)
