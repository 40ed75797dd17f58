"""The rule model: frozen, self-checking objects that every engine evaluates.

A patient's outcome for an indicator is decided by the first rule whose condition holds. Conditions are
a small closed set of node types; each engine (SQL compiler, reference evaluator) has one handler per
type and fails loudly on a type it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from qof_cancer.model.dates import Duration

__all__ = [
    "Anchor",
    "Condition",
    "NoDiagnosis",
    "Always",
    "DiagnosisOnOrAfter",
    "DiagnosisBefore",
    "DiagnosisOnOrBefore",
    "DiagnosisAfter",
    "RecordAfterDiagnosis",
    "RecordInYear",
    "TwoRecordsInYear",
    "RegisteredAfter",
    "Rule",
    "Indicator",
    "RATIO_OUTCOMES",
    "REGISTER_OUTCOMES",
    "PCA_OUTCOMES",
    "EXCLUSION_OUTCOMES",
]

Anchor = Literal["PPSD", "PPED", "ACH"]
ANCHORS = ("PPSD", "PPED", "ACH")

RATIO_OUTCOMES = (
    "met",
    "not_met",
    "pca_unsuitable",
    "pca_dissent",
    "pca_no_response",
    "excluded_recent_diagnosis",
    "excluded_recent_registration",
    "out_of_scope",
)
REGISTER_OUTCOMES = ("register", "not_on_register")
PCA_OUTCOMES = ("pca_unsuitable", "pca_dissent", "pca_no_response")
EXCLUSION_OUTCOMES = ("excluded_recent_diagnosis", "excluded_recent_registration")


def _check_clusters(clusters: tuple[str, ...]) -> None:
    if not clusters or not all(isinstance(c, str) and c.endswith("_COD") for c in clusters):
        raise ValueError(f"clusters must be a non-empty list of cluster ids ending _COD, got {clusters!r}")


def _check_anchor(anchor: str, months_before: int) -> None:
    if anchor not in ANCHORS:
        raise ValueError(f"anchor must be one of {', '.join(ANCHORS)}, not {anchor!r}")
    if not isinstance(months_before, int) or months_before < 0:
        raise ValueError(f"months_before must be a whole number of months >= 0, got {months_before!r}")


@dataclass(frozen=True)
class NoDiagnosis:
    """The patient has no diagnosis date (CAN_DAT is empty)."""


@dataclass(frozen=True)
class Always:
    """Holds for every patient: the last rule of a chain."""


@dataclass(frozen=True)
class DiagnosisOnOrAfter:
    """CAN_DAT >= date."""

    date: date


@dataclass(frozen=True)
class DiagnosisBefore:
    """CAN_DAT < date."""

    date: date


@dataclass(frozen=True)
class DiagnosisOnOrBefore:
    """CAN_DAT <= anchor - months_before."""

    anchor: Anchor
    months_before: int

    def __post_init__(self) -> None:
        _check_anchor(self.anchor, self.months_before)


@dataclass(frozen=True)
class DiagnosisAfter:
    """CAN_DAT > anchor - months_before."""

    anchor: Anchor
    months_before: int

    def __post_init__(self) -> None:
        _check_anchor(self.anchor, self.months_before)


@dataclass(frozen=True)
class RecordAfterDiagnosis:
    """A record of one of `clusters` dated CAN_DAT <= date <= CAN_DAT + within (and <= ACH)."""

    clusters: tuple[str, ...]
    within: Duration

    def __post_init__(self) -> None:
        _check_clusters(self.clusters)


@dataclass(frozen=True)
class RecordInYear:
    """A record of one of `clusters` dated PPSD <= date <= ACH."""

    clusters: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_clusters(self.clusters)


@dataclass(frozen=True)
class TwoRecordsInYear:
    """Two records of `clusters` in [PPSD, ACH], the second at least `min_gap_days` after the first.

    Equivalent to: the latest such record is at least `min_gap_days` after the earliest.
    """

    clusters: tuple[str, ...]
    min_gap_days: int

    def __post_init__(self) -> None:
        _check_clusters(self.clusters)
        if not isinstance(self.min_gap_days, int) or self.min_gap_days < 0:
            raise ValueError(f"min_gap_days must be a whole number >= 0, got {self.min_gap_days!r}")


@dataclass(frozen=True)
class RegisteredAfter:
    """REG_DAT > anchor - months_before."""

    anchor: Anchor
    months_before: int

    def __post_init__(self) -> None:
        _check_anchor(self.anchor, self.months_before)


Condition = (
    NoDiagnosis
    | Always
    | DiagnosisOnOrAfter
    | DiagnosisBefore
    | DiagnosisOnOrBefore
    | DiagnosisAfter
    | RecordAfterDiagnosis
    | RecordInYear
    | TwoRecordsInYear
    | RegisteredAfter
)

CONDITION_TYPES: dict[str, type] = {
    "no_diagnosis": NoDiagnosis,
    "always": Always,
    "diagnosis_on_or_after": DiagnosisOnOrAfter,
    "diagnosis_before": DiagnosisBefore,
    "diagnosis_on_or_before": DiagnosisOnOrBefore,
    "diagnosis_after": DiagnosisAfter,
    "record_after_diagnosis": RecordAfterDiagnosis,
    "record_in_year": RecordInYear,
    "two_records_in_year": TwoRecordsInYear,
    "registered_after": RegisteredAfter,
}


@dataclass(frozen=True)
class Rule:
    """One step of an indicator's first-match chain: `rule` id, the condition, the outcome, its wording."""

    rule: str
    outcome: str
    when: Condition
    says: str

    @property
    def id(self) -> str:
        return self.rule


@dataclass(frozen=True)
class Indicator:
    """An indicator: its wording, resolved settings and rule chain."""

    id: str
    kind: Literal["register", "ratio"]
    title: str
    wording: str
    notes: str
    settings: dict[str, object] = field(hash=False, compare=False)
    rules: tuple[Rule, ...]
    due: Duration | None = None
    # Episodicity values that do not set CAN_DAT (register only).
    ignore_episodes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        allowed = REGISTER_OUTCOMES if self.kind == "register" else RATIO_OUTCOMES
        ids = [r.rule for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: rule ids repeat: {ids}")
        for rule in self.rules:
            if rule.outcome not in allowed:
                raise ValueError(f"{self.id} {rule.rule}: outcome {rule.outcome!r} not one of {allowed}")
        if not self.rules or not isinstance(self.rules[-1].when, Always):
            raise ValueError(f"{self.id}: the last rule must be 'always' so every patient gets an outcome")

    def rule_label(self, rule: Rule) -> str:
        return f"{self.id}-{rule.rule}"
