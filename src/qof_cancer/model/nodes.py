"""The rule model: frozen, self-checking objects that every engine evaluates.

A patient's outcome for an indicator is decided by the first rule whose condition holds. Conditions are
a small closed set of node types; each engine (SQL compiler, reference evaluator) has one handler per
type and fails loudly on a type it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from qof_cancer.model.actions import WorklistSpec
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
    "LatestRecordOnOrBefore",
    "Rule",
    "National",
    "Indicator",
    "RATIO_OUTCOMES",
    "REGISTER_OUTCOMES",
    "PCA_OUTCOMES",
    "EXCLUSION_OUTCOMES",
    "SETTLED_OUTCOMES",
    "LEGACY_OUTCOMES",
    "NATIONAL_TYPES",
    "current_outcome",
    "national_rule",
]

Anchor = Literal["PPSD", "PPED", "ACH"]
ANCHORS = ("PPSD", "PPED", "ACH")

RATIO_OUTCOMES = (
    "met",
    "not_met",
    "pca_unsuitable",
    "pca_dissent",
    "pca_no_response",
    "pca_recent_registration",
    "excluded_earlier_year",
    "excluded_recent_diagnosis",
    "out_of_scope",
)
REGISTER_OUTCOMES = ("register", "not_on_register")
# Personalised care adjustments: counted in the published PCA rate (NHS Digital's PCA_REFERENCE, type PCA).
PCA_OUTCOMES = ("pca_unsuitable", "pca_dissent", "pca_no_response", "pca_recent_registration")
# Automatic exclusions: outside the practice's control, not PCAs (type Exclusion). `out_of_scope` (the
# look-back and the date floor) is counted on its own.
EXCLUSION_OUTCOMES = ("excluded_earlier_year", "excluded_recent_diagnosis")
# Outcomes whose care was already counted in an earlier QOF year: nothing to do for them this year.
SETTLED_OUTCOMES = ("excluded_earlier_year",)
# Outcome names of earlier versions, read back from files they wrote: old name -> current name.
# Revision 2 of the rules: a recent registration is a PCA nationally (REG1_DAT3), not an exclusion.
LEGACY_OUTCOMES = {"excluded_recent_registration": "pca_recent_registration"}
# The type of a rule in the national data: exclusion or PCA (PCA_REFERENCE), or the count it feeds.
NATIONAL_TYPES = ("exclusion", "pca", "numerator", "denominator", "register", "floor")


def current_outcome(name: str) -> str:
    """The current name of an outcome, for a file written by an earlier version."""
    return LEGACY_OUTCOMES.get(name, name)


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


@dataclass(frozen=True)
class LatestRecordOnOrBefore:
    """The latest record of `clusters` (on or before ACH; with `since` = "since_diagnosis", only records
    dated on or after CAN_DAT) is dated <= anchor - months_before. False when there is no such record.

    `since` = "off" switches the rule off: it never holds. This is rule R1c, the earlier-year exclusion:
    a review counted in the year it happened neither counts for nor against the practice again.
    """

    clusters: tuple[str, ...]
    anchor: Anchor
    months_before: int
    since: Literal["since_diagnosis", "any", "off"] = "since_diagnosis"

    def __post_init__(self) -> None:
        _check_clusters(self.clusters)
        _check_anchor(self.anchor, self.months_before)
        if self.since not in ("since_diagnosis", "any", "off"):
            raise ValueError(f"since must be since_diagnosis, any or off, not {self.since!r}")


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
    | LatestRecordOnOrBefore
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
    "latest_record_on_or_before": LatestRecordOnOrBefore,
}


@dataclass(frozen=True)
class National:
    """A rule's name and type in NHS Digital's published QOF data (PCA_REFERENCE, INDICATOR_VALUES).

    `name` is empty for a rule the national data do not name (the indicator's date floor).
    """

    name: str
    type: str

    def __post_init__(self) -> None:
        if self.type not in NATIONAL_TYPES:
            raise ValueError(f"national type must be one of {', '.join(NATIONAL_TYPES)}, not {self.type!r}")


@dataclass(frozen=True)
class Rule:
    """One step of an indicator's first-match chain: `rule` id, the condition, the outcome, its wording."""

    rule: str
    outcome: str
    when: Condition
    says: str
    national: National | None = None

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
    # What the worklist, its sheet, the dashboard and the letters say and do for it (model/actions.py).
    worklist: WorklistSpec | None = None
    # The local scheme that added it, or None for an indicator of the bundled rule files.
    scheme: str | None = None
    diagnosis_cluster: str | None = None  # a register's: the cluster whose latest record is CAN_DAT

    def __post_init__(self) -> None:
        allowed = REGISTER_OUTCOMES if self.kind == "register" else RATIO_OUTCOMES
        ids = [r.rule for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: rule ids repeat: {ids}")
        for rule in self.rules:
            if rule.outcome not in allowed:
                raise ValueError(f"{self.id} {rule.rule}: outcome {rule.outcome!r} not one of {allowed}")
            kind = rule.national.type if rule.national else None
            expected = _NATIONAL_TYPE_OF.get(rule.outcome)
            if kind is not None and expected is not None and kind not in expected:
                raise ValueError(
                    f"{self.id} {rule.rule}: outcome {rule.outcome} must have national type "
                    f"{' or '.join(expected)}, not {kind}"
                )
        if not self.rules or not isinstance(self.rules[-1].when, Always):
            raise ValueError(f"{self.id}: the last rule must be 'always' so every patient gets an outcome")

    def rule_label(self, rule: Rule) -> str:
        return f"{self.id}-{rule.rule}"

    @property
    def completing(self) -> RecordAfterDiagnosis | None:
        """The condition of the first `met` rule when it is a record after the diagnosis: the record
        (a Cancer Care Review, a support contact) whose recording makes a patient met."""
        for rule in self.rules:
            if rule.outcome == "met" and isinstance(rule.when, RecordAfterDiagnosis):
                return rule.when
        return None

    @property
    def completing_cluster(self) -> str | None:
        node = self.completing
        return node.clusters[0] if node else None


def national_rule(rule: Rule) -> str | None:
    """The rule's name in the national data (`national_rule` in outcomes.csv), or None if it has none."""
    return rule.national.name or None if rule.national else None


# Which national types each outcome may carry; an outcome not named here may carry any.
_NATIONAL_TYPE_OF = {
    **{o: ("pca",) for o in PCA_OUTCOMES},
    **{o: ("exclusion",) for o in EXCLUSION_OUTCOMES},
    "out_of_scope": ("exclusion", "floor"),
    "met": ("numerator",),
    "not_met": ("denominator",),
}
