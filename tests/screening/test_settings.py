"""Screening settings are data: a practice file merges over the bundled one; bad values are named."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.errors import UserError
from qof_cancer.screening.settings import load_settings


def test_bundled_defaults_follow_the_spec():
    s = load_settings()
    windows = {p.id: p.window_months for p in s.programmes}
    assert windows == {"cervical_25_49": 42, "cervical_50_64": 66, "bowel": 30, "breast": 36}
    bowel = s.programme("bowel")
    assert (bowel.ages_on(date(2024, 12, 31)).min, bowel.ages_on(date(2025, 1, 1)).min) == (60, 50)
    assert s.programme("breast").sexes == ("F",)


def test_practice_file_merges_key_by_key(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "programmes:\n  bowel:\n    ages:\n      - {from: 2006-04-01, min: 60, max: 74}\n"
        "      - {from: 2021-04-01, min: 56, max: 74}\nflag_min_eligible: 20\n"
    )
    s = load_settings(path)
    assert s.programme("bowel").ages_on(date(2022, 1, 1)).min == 56
    assert s.programme("bowel").window_months == 30  # kept from the bundled file
    assert s.flag_min_eligible == 20


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("programmes:\n  lung: {}\n", "programmes: unknown programme 'lung'"),
        (
            "programmes:\n  bowel:\n    window_months: -3\n",
            "programmes.bowel.window_months: expected a whole number",
        ),
        (
            "programmes:\n  breast:\n    sexes: [X]\n",
            "programmes.breast.sexes: expected a list of F, M, I, U",
        ),
        (
            "programmes:\n  bowel:\n    ages: [{from: 2025-01-01, min: 74, max: 50}]\n",
            "programmes.bowel.ages\\[0\\]: max 50 is below min 74",
        ),
        ("suppression: {round_to: 0}\n", "suppression.round_to"),
    ],
)
def test_bad_settings_are_named(tmp_path, body, message):
    path = tmp_path / "s.yaml"
    path.write_text(body)
    with pytest.raises(UserError, match=message):
        load_settings(path)
