"""classify_uk_phone: the UK mobile rule shared by the worklists and screening."""

from __future__ import annotations

import pytest

from qof_cancer.inputs.phones import PHONE_CLASSES, classify_uk_phone, format_uk_mobile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700 900123", "mobile"),
        ("07700900123", "mobile"),
        ("+44 7700 900123", "mobile"),
        ("+44 (0) 7700 900123", "mobile"),
        ("+44 07700 900123", "mobile"),
        ("0044 7700-900-123", "mobile"),
        ("447700900123", "mobile"),
        ("(07700) 900.123", "mobile"),
        ("07123 456789", "mobile"),
        ("07457 123456", "mobile"),
        ("07624 123456", "mobile"),  # Isle of Man mobiles are in the 076 range
        ("07781 123456", "mobile"),  # Guernsey
        ("07012 345678", "personal_070"),
        ("07000 900123", "personal_070"),
        ("07600 900123", "pager"),
        ("07612 345678", "pager"),
        ("01632 960123", "landline"),
        ("0161 496 0000", "landline"),
        ("020 7946 0000", "landline"),
        ("0300 123 4567", "landline"),
        ("0800 123 4567", "landline"),
        ("07700 90012", "malformed"),  # a digit short
        ("07700 9001234", "malformed"),  # a digit too many
        ("07700 9OO123", "malformed"),  # letter O for zero: not read as vanity digits
        ("07700 900123 ext 2", "malformed"),
        ("+33 6 12 34 56 78", "malformed"),  # outside the UK numbering plan
        ("12345", "malformed"),
        ("n/a", "malformed"),
        ("", "missing"),
        ("   ", "missing"),
        (None, "missing"),
    ],
)
def test_classify_uk_phone(text, expected):
    assert classify_uk_phone(text) == expected
    assert expected in PHONE_CLASSES


def test_format_uk_mobile_writes_the_national_form():
    assert format_uk_mobile("+44 (0) 7700 900123") == "07700900123"
    assert format_uk_mobile("07624 123456") == "07624123456"
    assert format_uk_mobile("07012 345678") is None
    assert format_uk_mobile(None) is None
