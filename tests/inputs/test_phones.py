"""UK phone rules: which numbers a practice can text (shared/spec/screening.md, research section 5)."""

from __future__ import annotations

import pytest

from qof_cancer.inputs.phones import PHONE_CLASSES, classify_uk_phone

CASES = [
    # title, number as recorded, class
    ("no number", None, "missing"),
    ("blank", "   ", "missing"),
    ("a GB mobile, national form", "07911 123456", "mobile"),
    ("the same in E.164", "+447911123456", "mobile"),
    ("+44 with (0)", "+44 (0)7911 123456", "mobile"),
    ("0044 prefix", "0044 7911 123456", "mobile"),
    ("44 prefix without plus", "447911123456", "mobile"),
    ("hyphens and dots", "07911-123.456", "mobile"),
    ("Jersey mobile (+44, region JE) is usable", "07797 123456", "mobile"),
    ("07624: Isle of Man mobile, not a pager", "07624 123456", "mobile"),
    ("Ofcom drama mobile range is read by its shape", "07700 900123", "mobile"),
    ("drama mobile range in E.164", "+44 7700 900123", "mobile"),
    ("070 personal numbering is not a mobile", "07000 900123", "personal_070"),
    ("070 in E.164", "+44 7000 900123", "personal_070"),
    ("076 pager", "07600 900123", "pager"),
    ("076 pager, other block", "07640 123456", "pager"),
    ("London landline", "020 7946 0123", "landline"),
    ("drama landline range", "01632 960123", "landline"),
    ("07 with eight digits after", "07700 90012", "malformed"),
    ("07 with ten digits after", "07700 9001234", "malformed"),
    ("letter O for zero", "07700 9OO123", "malformed"),
    ("text", "ask daughter", "malformed"),
    ("a French mobile is not a UK number", "+33 6 12 34 56 78", "malformed"),
    ("too short for any UK number", "01234", "malformed"),
]


@pytest.mark.parametrize(("title", "number", "expected"), CASES, ids=[c[0] for c in CASES])
def test_classify_uk_phone(title: str, number: str | None, expected: str) -> None:
    assert classify_uk_phone(number) == expected


def test_every_class_is_reachable_and_named() -> None:
    assert {c[2] for c in CASES} == set(PHONE_CLASSES)
