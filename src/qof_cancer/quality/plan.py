"""What the checks read from the rule set and the run (the Plan, with the checks' own settings), and the
small SQL helpers their builders share.

SQL is built as text here, as in `inputs/validate.py`: every value put into it is a date object, a
number or a cluster or check name from the rule files, quoted by `s`; no input data is ever formatted
into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qof_cancer.model.dates import Duration
from qof_cancer.model.nodes import RecordAfterDiagnosis, RecordInYear, TwoRecordsInYear
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = [
    "CareWindow",
    "Plan",
    "QualitySettings",
    "make_plan",
    "d",
    "s",
    "in_list",
    "plus",
    "minus",
    "v",
    "label",
    "finding",
]


@dataclass(frozen=True)
class QualitySettings:
    """The checks' own settings (the indicators' settings come from the rule set).

    duplicate_interval: a second code of the same cancer within this of the one before is a duplicate;
      later than this it is a recode (`recoded_diagnosis`), which may be a real recurrence.
    just_after_days: how far past its window a review or support record is "just after" it.
    pca_lookback: how far before the QOF year a PCA or invitation is reported (`pca_previous_year`).
    """

    duplicate_interval: Duration = Duration(12, "months")
    just_after_days: int = 31
    pca_lookback: Duration = Duration(12, "months")

    def __post_init__(self) -> None:
        if self.just_after_days < 0:
            raise ValueError("just_after_days must be >= 0")


@dataclass(frozen=True)
class CareWindow:
    """A rule "a record of `clusters` within `within` of the diagnosis" of one indicator."""

    indicator: str
    clusters: tuple[str, ...]
    within: Duration


@dataclass(frozen=True)
class Plan:
    """What the checks need from the rule set and the run's dates, read once."""

    ach: date
    ppsd: date
    pped: date
    register_id: str
    register_floor: date
    ratio_ids: tuple[str, ...]
    indicator_ids: tuple[str, ...]
    ignore_episodes: tuple[str, ...]
    care: tuple[CareWindow, ...]
    pca_clusters: tuple[str, ...]
    invite_clusters: tuple[str, ...]
    invite_gap_days: int
    settings: QualitySettings


def make_plan(ruleset: RuleSet, period: Period, settings: QualitySettings) -> Plan:
    """Read the windows, PCA clusters and invitation gap from the indicators' rule nodes."""
    care, pca, invite, gaps = [], [], [], []
    for ind in ruleset.ratio_indicators:
        for rule in ind.rules:
            node = rule.when
            if isinstance(node, RecordAfterDiagnosis):
                care.append(CareWindow(ind.id, node.clusters, node.within))
            elif isinstance(node, RecordInYear):
                pca += [c for c in node.clusters if c not in pca]
            elif isinstance(node, TwoRecordsInYear):
                invite += [c for c in node.clusters if c not in invite]
                gaps.append(node.min_gap_days)
    register = ruleset.register
    floor = register.settings.get("register_floor", date(2003, 4, 1))
    return Plan(
        ach=period.ach,
        ppsd=period.ppsd,
        pped=period.pped,
        register_id=register.id,
        register_floor=floor if isinstance(floor, date) else date.fromisoformat(str(floor)),
        ratio_ids=tuple(i.id for i in ruleset.ratio_indicators),
        indicator_ids=tuple(i.id for i in ruleset.indicators),
        ignore_episodes=tuple(register.ignore_episodes),
        care=tuple(care),
        pca_clusters=tuple(pca),
        invite_clusters=tuple(invite),
        invite_gap_days=max(gaps, default=7),
        settings=settings,
    )


# --- SQL helpers ------------------------------------------------------------------------------------


def d(day: date) -> str:
    """A DATE literal (from a date object, never from input text)."""
    return f"DATE '{day.isoformat()}'"


def s(text: str) -> str:
    """A quoted SQL string."""
    return "'" + text.replace("'", "''") + "'"


def in_list(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(s(v) for v in values) + ")" if values else "(NULL)"


def interval(duration: Duration) -> str:
    return f"to_{duration.unit}({int(duration.amount)})"


def plus(expr: str, duration: Duration) -> str:
    """`expr` moved on by `duration` (months clamp to the month's end, as in the indicators)."""
    return f"CAST({expr} + {interval(duration)} AS DATE)"


def minus(expr: str, duration: Duration) -> str:
    return f"CAST({expr} - {interval(duration)} AS DATE)"


def v(expr: str) -> str:
    """Text of a value, for building sentences."""
    return f"CAST({expr} AS VARCHAR)"


def label(code: str, term: str) -> str:
    """'term [code]', or the code alone when no term is known."""
    return f"dq_label({code}, {term})"


_FINDING = (
    "SELECT {check} AS check_name, {patient} AS patient_id, {event} AS event_id, {code} AS code, "
    "{date} AS date, {detail} AS detail, {fix} AS suggested_fix, {rule_impact} AS rule_impact, "
    "{drop} AS drop_event, {fix_code} AS fix_code, CAST({fix_date} AS DATE) AS fix_date"
)


def finding(
    check: str,
    *,
    patient: str,
    event: str,
    code: str,
    date: str,
    detail: str,
    fix: str,
    rule_impact: str = "NULL",
    drop: str = "FALSE",
    fix_code: str = "NULL",
    fix_date: str = "NULL",
) -> str:
    return _FINDING.format(
        check=s(check),
        patient=patient,
        event=event,
        code=code,
        date=date,
        detail=detail,
        fix=fix,
        rule_impact=rule_impact,
        drop=drop,
        fix_code=fix_code,
        fix_date=fix_date,
    )
