"""Dates and codes as GP system exports and FHIR write them: what is read, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.importers.values import extract_code, parse_fhir_date, parse_uk_date

EXTRACT = date(2025, 11, 15)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("31/03/2024", date(2024, 3, 31)),
        ("1/4/2024", date(2024, 4, 1)),
        ("31.03.2024", date(2024, 3, 31)),
        ("31-03-2024", date(2024, 3, 31)),
        ("31-Mar-2024", date(2024, 3, 31)),
        ("31 March 2024", date(2024, 3, 31)),
        ("31/03/2024 14:05", date(2024, 3, 31)),
        ("31/03/2024T14:05:00", date(2024, 3, 31)),
        ("2024-03-31", date(2024, 3, 31)),
        # Two-digit years: the latest century that does not put the date after the extract date.
        ("15/11/25", date(2025, 11, 15)),
        ("16/11/25", date(1925, 11, 16)),
        ("1/2/45", date(1945, 2, 1)),
        ("1/2/05", date(2005, 2, 1)),
    ],
)
def test_uk_dates(text, expected):
    assert parse_uk_date(text, EXTRACT) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("03/31/2024", "not a real calendar date (day first: day/month/year)"),  # a US date is not guessed at
        ("31/03/2024 and more", "not a date"),
        ("13/2023", "not a date"),
        ("31-Foo-2024", "not a date (unknown month name)"),
        ("29/02/23", "not a real calendar date"),
    ],
)
def test_uk_dates_refused(text, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_uk_date(text, EXTRACT)


def test_fhir_dates():
    assert parse_fhir_date("2023-06-10T23:30:00+01:00") == date(2023, 6, 10)
    assert parse_fhir_date("2023-06-10") == date(2023, 6, 10)
    for partial in ("2023", "2023-06"):
        with pytest.raises(ValueError, match="partial date"):
            parse_fhir_date(partial)
    with pytest.raises(ValueError, match="not a real calendar date"):
        parse_fhir_date("2023-02-30")


@pytest.mark.parametrize(
    "cell, fmt, code",
    [
        ("720006006", "auto", "720006006"),
        ("720006006 - Cancer care review", "auto", "720006006"),
        ("Cancer care review (720006006)", "auto", "720006006"),
        ("EMISNQCA12", "auto", "EMISNQCA12"),
        ("B34.. - Malignant neoplasm of female breast", "code - term", "B34.."),
        ("Malignant neoplasm of female breast (B34..)", "term (code)", "B34.."),
        ("  720006006  ", "plain", "720006006"),
    ],
)
def test_codes(cell, fmt, code):
    assert extract_code(cell, fmt) == code


@pytest.mark.parametrize(
    "cell, fmt, reason",
    [
        ("Cancer care review (procedure)", "auto", "no code found"),
        ("Cancer care review (procedure)", "term (code)", "semantic tag, not a code"),
        ("Cancer care review", "term (code)", "no code in brackets"),
        ("720006007", "auto", "check digit wrong"),
        ("B34.. Malignant", "plain", "spaces"),
    ],
)
def test_codes_refused(cell, fmt, reason):
    with pytest.raises(ValueError, match=reason):
        extract_code(cell, fmt)
