"""Small pure parsers shared by the importers: FHIR dates, UK export dates, NHS numbers, coded values.

Each returns the parsed value or raises `ValueError` with the reason in words (the caller puts the reason,
with the file, position, field and value, in rejects.csv). Nothing here guesses: a partial date, an
ambiguous value or a code that cannot be found in a cell is a reason, not a default.
"""

from __future__ import annotations

import re
from datetime import date

from qof_cancer.codes.snomed import check_record_code

__all__ = [
    "parse_fhir_date",
    "parse_uk_date",
    "nhs_number_problem",
    "extract_code",
    "CODE_FORMATS",
]

_FHIR_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?")


def parse_fhir_date(text: object) -> date:
    """The calendar date of a FHIR date, dateTime or instant, as written (its own time zone).

    `2023-06-10T23:30:00+01:00` is 2023-06-10: the date the clinician saw, not the UTC date. A partial
    date (`2023` or `2023-06`) is refused: QOF windows are in days, and choosing a day would be a guess.
    """
    if not isinstance(text, str):
        raise ValueError("not a FHIR date (expected text like 2023-06-10)")
    m = _FHIR_DATE.fullmatch(text.strip())
    if not m:
        raise ValueError("not a FHIR date (expected YYYY-MM-DD or a dateTime)")
    year, month, day = m.groups()
    if day is None:
        raise ValueError("partial date (year or year-month only): the day is unknown")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("not a real calendar date") from None


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_UK_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_UK_NAMED = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*")


def _century(yy: int, month: int, day: int, reference: date) -> int:
    """Two-digit years: the latest year ending in yy that does not put the date after `reference`."""
    year = reference.year - (reference.year - yy) % 100
    try:
        if date(year, month, day) > reference:
            year -= 100
    except ValueError:  # 29 February in a year that is not a leap year: let the caller report it
        pass
    return year


def parse_uk_date(text: str, reference: date) -> date:
    """A date from a UK clinical-system export: day first, then month, then year; a time is dropped.

    Accepted: `31/03/2024`, `1/4/24`, `31.03.2024`, `31-03-2024`, `31-Mar-2024`, `31 March 2024`, each
    optionally followed by a time (`31/03/2024 14:05`, `…T14:05:00`), and ISO `2024-03-31`. A two-digit
    year goes in the latest century that does not put the date after `reference` (the extract date):
    with reference 2025-11-15, `15/11/25` is 2025, `16/11/25` is 1925 and `01/02/45` is 1945.
    """
    value = text.strip()
    for pattern in (_ISO, _UK_NUMERIC, _UK_NAMED):
        m = pattern.match(value)
        if m and _TIME.fullmatch(value[m.end() :]):
            break
    else:
        raise ValueError("not a date (expected day/month/year, e.g. 31/03/2024)")
    if pattern is _ISO:
        year, month, day = (int(g) for g in m.groups())
    elif pattern is _UK_NUMERIC:
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if len(m.group(4)) == 2:
            year = _century(year, month, day, reference)
    else:
        month = _MONTHS.get(m.group(2).lower(), 0)
        if not month:
            raise ValueError("not a date (unknown month name)")
        day, year = int(m.group(1)), int(m.group(3))
        if len(m.group(3)) == 2:
            year = _century(year, month, day, reference)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("not a real calendar date (day first: day/month/year)") from None


def nhs_number_problem(value: str) -> str | None:
    """None for a valid NHS number (10 digits, modulus-11 check digit), else what is wrong."""
    digits = value.replace(" ", "")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10):
        return "not an NHS number (10 digits)"
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(digits[9]):
        return "not a valid NHS number (modulus-11 check digit wrong)"
    return None


# How a code column is written. "auto" finds a SNOMED CT id at the start ("1234567 - term") or in
# brackets at the end ("term (1234567)"), or takes a value without spaces as it is.
CODE_FORMATS = ("auto", "plain", "code - term", "term (code)")
_CODE_FIRST = re.compile(r"\s*(\S+?)\s*(?:\s-\s|\t|\s–\s|:\s)(.*)")
_CODE_LAST = re.compile(r".*\(\s*([^()\s]+)\s*\)\s*")
_SNOMED_FIRST = re.compile(r"\s*(\d{6,18})\s*(?:[-–:]\s*.*)?")
_SNOMED_LAST = re.compile(r".*\(\s*(\d{6,18})\s*\)\s*")
_SEMANTIC_TAG = re.compile(r"[a-z]+(?:[/ -][a-z]+)*")  # (disorder), (regime/therapy): words, not codes


def extract_code(cell: str, fmt: str = "auto") -> str:
    """The code in a cell, per `fmt` (one of CODE_FORMATS), checked as a record code (SNOMED CT or local).

    "Carcinoma of breast (disorder)" has no code in it: a semantic tag in brackets is not a code, so
    "auto" only takes bracketed digits. Raises ValueError with the reason.
    """
    text = cell.strip()
    if fmt == "plain":
        code = text
    elif fmt == "code - term":
        m = _CODE_FIRST.fullmatch(text)
        code = m.group(1) if m else text
    elif fmt == "term (code)":
        m = _CODE_LAST.fullmatch(text)
        if not m:
            raise ValueError("no code in brackets at the end (expected 'term (code)')")
        code = m.group(1)
        if _SEMANTIC_TAG.fullmatch(code):
            raise ValueError(f"'({code})' is a SNOMED CT semantic tag, not a code")
    elif fmt == "auto":
        m = _SNOMED_FIRST.fullmatch(text) or _SNOMED_LAST.fullmatch(text)
        if m:
            code = m.group(1)
        elif " " in text:
            raise ValueError("no code found (expected a code, 'code - term' or 'term (code)')")
        else:
            code = text
    else:  # the map loader checks formats; this is a programming error
        raise AssertionError(f"unknown code format {fmt!r}")
    problem = check_record_code(code)
    if problem:
        raise ValueError(problem)
    return code
