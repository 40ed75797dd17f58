"""What the data-quality checks read from the rule set and the run's dates (`RuleReading`), and the
checks' own settings (`QualitySettings`).

The rule set is read once, here: the review and support windows, the PCA and invitation clusters and the
invitation gap come from the indicators' rule nodes, so a check never restates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qof_cancer.model.dates import Duration, add_months
from qof_cancer.model.nodes import RecordAfterDiagnosis, RecordInYear, TwoRecordsInYear
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = [
    "CareWindow",
    "QualitySettings",
    "RuleReading",
    "read_rules",
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
class RuleReading:
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

    @property
    def lookback_start(self) -> date:
        """The first day a PCA or invitation before the QOF year is reported from (`pca_lookback`)."""
        back = self.settings.pca_lookback
        if back.unit == "days":
            return date.fromordinal(self.ppsd.toordinal() - back.amount)
        return add_months(self.ppsd, -back.amount)


def read_rules(ruleset: RuleSet, period: Period, settings: QualitySettings) -> RuleReading:
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
    return RuleReading(
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
