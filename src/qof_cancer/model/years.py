"""QOF years: reference dates, points, thresholds, money and payment status."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

__all__ = [
    "YearIndicator",
    "QofYear",
    "Period",
    "PAYMENT_STATUSES",
    "qof_year_id",
    "year_start",
    "following_year",
]

PAYMENT_STATUSES = ("paid", "unpaid", "income_protected", "retired", "local_scheme")

STATUS_WORDS = {
    "paid": "paid on this year's achievement",
    "unpaid": "computed, but no points paid this year",
    "income_protected": "income-protected: paid at the points achieved in {protected_year}",
    "retired": "retired nationally: computed for local schemes and good practice, not paid",
    "local_scheme": "paid under the local scheme {scheme}",
}


@dataclass(frozen=True)
class YearIndicator:
    """One indicator's points, thresholds and payment status in one year."""

    points: float
    status: str
    lower: float | None = None
    upper: float | None = None
    protected_year: str | None = None
    pounds_per_patient: float | None = None

    def __post_init__(self) -> None:
        if self.status not in PAYMENT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(PAYMENT_STATUSES)}, not {self.status!r}")
        if self.points < 0:
            raise ValueError("points cannot be negative")
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both lower and upper thresholds, or neither")
        if self.lower is not None and not 0 <= self.lower < self.upper <= 100:  # type: ignore[operator]
            raise ValueError(
                f"thresholds must satisfy 0 <= lower < upper <= 100, got {self.lower}-{self.upper}"
            )
        if self.status == "income_protected" and not self.protected_year:
            raise ValueError("an income_protected indicator needs protected_year")


@dataclass(frozen=True)
class QofYear:
    """A QOF year (e.g. 2023-24) and its money."""

    id: str
    rules_version: str
    ppsd: date
    pped: date
    pounds_per_point: float
    national_average_list_size: float
    national_prevalence: float
    national_prevalence_source: str
    indicators: dict[str, YearIndicator] = field(hash=False, compare=False)
    scheme: str | None = None
    national_average_list_size_source: str = "published (Statement of Financial Entitlements)"
    # For a year after the last one in the rule files: the year its values were carried forward from.
    carried_from: str | None = None

    @property
    def derived_note(self) -> str | None:
        """In words, for a year after the rule files: where its dates and values came from."""
        if self.carried_from is None:
            return None
        return (
            f"{self.id} is after the last year in the rule files: its dates follow the QOF calendar "
            f"(1 April to 31 March) and its points, thresholds and national figures are {self.carried_from}'s"
        )

    def __post_init__(self) -> None:
        if not self.ppsd < self.pped:
            raise ValueError(f"ppsd {self.ppsd} must be before pped {self.pped}")
        if not 0 < self.national_prevalence < 1:
            raise ValueError("national_prevalence is a fraction between 0 and 1 (0.034 for 3.4%)")
        if self.national_average_list_size <= 0 or self.pounds_per_point < 0:
            raise ValueError("national_average_list_size must be > 0 and pounds_per_point >= 0")

    def status_words(self, indicator: str) -> str:
        yi = self.indicators[indicator]
        return STATUS_WORDS[yi.status].format(protected_year=yi.protected_year, scheme=self.scheme)


@dataclass(frozen=True)
class Period:
    """The dates one run reads: the year's PPSD and PPED and the achievement date (ACH)."""

    year: QofYear
    ach: date

    def __post_init__(self) -> None:
        if not self.year.ppsd <= self.ach <= self.year.pped:
            raise ValueError(f"achievement date {self.ach} is outside {self.year.id}")

    @property
    def ppsd(self) -> date:
        return self.year.ppsd

    @property
    def pped(self) -> date:
        return self.year.pped

    @property
    def in_year(self) -> bool:
        return self.ach < self.year.pped

    def anchor(self, name: str) -> date:
        return {"PPSD": self.ppsd, "PPED": self.pped, "ACH": self.ach}[name]


_YEAR_ID = re.compile(r"^(\d{4})-(\d{2})$")


def qof_year_id(start: int) -> str:
    """The QOF year that starts on 1 April of `start`: 2026 -> "2026-27"."""
    return f"{start}-{(start + 1) % 100:02d}"


def year_start(text: str) -> int | None:
    """The calendar year a QOF year id starts in ("2026-27" -> 2026), or None if it is not one."""
    match = _YEAR_ID.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        return None
    return int(match.group(1))


def following_year(last: QofYear) -> QofYear:
    """The QOF year after `last`, by rule: 1 April to 31 March, with `last`'s thresholds, points and
    national figures, and no national payment (the cancer indicators were retired nationally in 2025-26).
    A local scheme's status carries forward with its scheme."""
    start = last.pped.year
    base = last.carried_from or last.id
    indicators = {
        ind: replace(
            yi,
            status="local_scheme" if yi.status == "local_scheme" else "retired",
            protected_year=None,
        )
        for ind, yi in last.indicators.items()
    }
    return replace(
        last,
        id=qof_year_id(start),
        ppsd=date(start, 4, 1),
        pped=date(start + 1, 3, 31),
        indicators=indicators,
        national_prevalence_source=last.national_prevalence_source
        if last.carried_from
        else f"{base}'s figure, {last.national_prevalence_source}",
        national_average_list_size_source=last.national_average_list_size_source
        if last.carried_from
        else f"{base}'s figure, {last.national_average_list_size_source}",
        carried_from=base,
    )
