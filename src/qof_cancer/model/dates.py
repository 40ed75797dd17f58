"""Date arithmetic shared by every engine: calendar months clamped to the month's end."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["add_months", "Duration", "parse_duration"]


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the end of the month.

    2023-11-30 + 3 months = 2024-02-29; 2024-03-31 - 24 months = 2022-03-31.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Duration:
    """A window length: a number of calendar months or of days."""

    amount: int
    unit: str  # "months" or "days"

    def __post_init__(self) -> None:
        if self.unit not in ("months", "days"):
            raise ValueError(f"unit must be months or days, not {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a duration cannot be negative")

    def after(self, day: date) -> date:
        """The last day of the window that starts on `day`."""
        if self.unit == "months":
            return add_months(day, self.amount)
        return day + timedelta(days=self.amount)

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


_DURATION = re.compile(r"^\s*(\d{1,6})\s*(months?|days?)\s*$")
# Past ten years a window reaches dates no record can have (and past a few thousand, dates no engine
# can hold): a longer one is a typing slip, refused when the rule file or setting is read.
MAX_MONTHS, MAX_DAYS = 120, 3660


def parse_duration(text: object) -> Duration:
    """Parse "3 months" or "93 days"; raise ValueError otherwise."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"expected a duration like '3 months' or '93 days', got {text!r}")
    unit = match.group(2) if match.group(2).endswith("s") else match.group(2) + "s"
    amount = int(match.group(1))
    if amount > (MAX_MONTHS if unit == "months" else MAX_DAYS):
        raise ValueError(f"a duration of at most {MAX_MONTHS} months or {MAX_DAYS} days, got {text!r}")
    return Duration(amount, unit)
