"""Read the QOF years file (rules/years.yaml): dates, money, and each indicator's points, thresholds and
payment status per year, checked value by value; and the years after it, which follow by rule."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from qof_cancer.model.years import QofYear, YearIndicator, following_year
from qof_cancer.rules import Document

__all__ = ["build_years", "build_year_indicator", "extend_years", "parse_date", "amount", "positive"]


def extend_years(years: Mapping[str, QofYear], through: int) -> dict[str, QofYear]:
    """`years` with the QOF years after the last one added by rule, up to the one starting in `through`."""
    out = dict(years)
    last = max(out.values(), key=lambda y: y.pped)
    while last.pped.year <= through:
        last = following_year(last)
        out[last.id] = last
    return out


def parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def amount(value: Any) -> float:
    """A number of points, pounds or patients: finite and not negative (`.nan` and `.inf` are YAML)."""
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"expected a finite number, 0 or more, got {value!r}")
    return number


def positive(value: Any) -> float:
    """A number divided by (prevalence, list size): finite and above 0."""
    number = amount(value)
    if number == 0:
        raise ValueError(f"expected a number above 0, got {value!r}")
    return number


_YEAR_FIELDS = {
    "rules_version": str,
    "ppsd": parse_date,
    "pped": parse_date,
    "pounds_per_point": amount,
    "national_average_list_size": positive,
    "national_prevalence": positive,
    "national_prevalence_source": str,
}


def build_year_indicator(doc: Document, where: tuple, raw: Any) -> YearIndicator:
    if not isinstance(raw, dict):
        raise doc.error(where, "must be a mapping with points, status and (for ratios) lower, upper")
    allowed = {"points", "status", "lower", "upper", "protected_year", "pounds_per_patient"}
    for key in raw:
        if key not in allowed:
            raise doc.error((*where, key), f"unknown field; expected {', '.join(sorted(allowed))}")
    try:
        return YearIndicator(
            points=amount(raw["points"]),
            status=str(raw["status"]),
            lower=None if raw.get("lower") is None else amount(raw["lower"]),
            upper=None if raw.get("upper") is None else amount(raw["upper"]),
            protected_year=None if raw.get("protected_year") is None else str(raw["protected_year"]),
            pounds_per_patient=None
            if raw.get("pounds_per_patient") is None
            else amount(raw["pounds_per_patient"]),
        )
    except KeyError as exc:
        raise doc.error(where, f"missing required field {exc}") from None
    except (TypeError, ValueError) as exc:
        raise doc.error(where, str(exc)) from None


def build_years(doc: Document) -> dict[str, QofYear]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise doc.error((), "a years file has a top-level 'years' mapping")
    years = {}
    for year_id, raw in data["years"].items():
        where = ("years", year_id)
        if not isinstance(raw, dict):
            raise doc.error(where, "must be a mapping")
        values: dict[str, Any] = {}
        for name, convert in _YEAR_FIELDS.items():
            if name not in raw:
                raise doc.error(where, f"missing required field {name!r}")
            try:
                values[name] = convert(raw[name])
            except (TypeError, ValueError) as exc:
                raise doc.error((*where, name), str(exc)) from None
        if "national_average_list_size_source" in raw:
            values["national_average_list_size_source"] = str(raw["national_average_list_size_source"])
        unknown = set(raw) - set(_YEAR_FIELDS) - {"indicators", "national_average_list_size_source"}
        if unknown:
            raise doc.error((*where, sorted(unknown)[0]), "unknown field")
        inds = {
            str(k): build_year_indicator(doc, (*where, "indicators", k), v)
            for k, v in (raw.get("indicators") or {}).items()
        }
        try:
            years[str(year_id)] = QofYear(id=str(year_id), indicators=inds, **values)
        except ValueError as exc:
            raise doc.error(where, str(exc)) from None
    return years
