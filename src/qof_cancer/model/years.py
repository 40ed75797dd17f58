"""QOF years: reference dates, points, thresholds, money and payment status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["YearIndicator", "QofYear", "Period", "PAYMENT_STATUSES"]

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
