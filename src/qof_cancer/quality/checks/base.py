"""What a data-quality check is: its stable name, title and impact basis, and the SQL that finds it.

A check's module (one per check, in this package) defines `CHECK`, a `Check`; the package's registry
lists them in catalogue order. The title, the SQL and what undoing the fault means all live on that one
object, so the catalogue and the SQL cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import FINDING_COLUMNS

__all__ = ["Check", "CheckInfo", "PatientEdit", "FINDING_COLUMNS"]


@dataclass(frozen=True)
class CheckInfo:
    """One check: its stable name, a one-line title, and whether its impact is computed by re-running the
    indicators without the fault ("computed") or stated from the rules ("rule")."""

    name: str
    title: str
    impact_basis: str


@dataclass(frozen=True)
class PatientEdit:
    """For a check about a patient date: the `patients` column the impact re-run clears, and the words
    that begin its impact ("if the date of death is wrong: ...")."""

    column: str
    impact_prefix: str


@dataclass(frozen=True)
class Check(CheckInfo):
    """A check with its SQL: `build(reading)` returns one SELECT of finding rows (FINDING_COLUMNS), or ""
    when the rule set gives the check nothing to look at.

    moves_can_dat: the fault is the record that sets CAN_DAT; a review dated before that CAN_DAT is
      explained by it, so care_before_diagnosis leaves those patients to it (table `dq_can_dat_moved`).
    clears: the patient date the impact re-run clears, for checks about a patient's dates.
    """

    build: Callable[[RuleReading], str] = lambda reading: ""
    moves_can_dat: bool = False
    clears: PatientEdit | None = None
