"""Points and pounds."""

from __future__ import annotations

import pytest

from qof_cancer.model import load_ruleset
from qof_cancer.model.payment import achievement_pct, payment_gbp, points_for


def test_full_2023_24_achievement_pays_about_8_50_per_register_patient():
    """The published check: 13 points at 2023-24 values give about £8.50 per register patient."""
    year = load_ruleset().years["2023-24"]
    register, list_size = 340, 10_000
    total = sum(
        payment_gbp(
            year.indicators[i].points,
            year.pounds_per_point,
            register,
            list_size,
            year.national_prevalence,
            year.national_average_list_size,
        )
        for i in ("CAN001", "CAN004", "CAN005")
    )
    assert sum(year.indicators[i].points for i in ("CAN001", "CAN004", "CAN005")) == 13
    assert total / register == pytest.approx(8.50, abs=0.10)


def test_payment_is_independent_of_list_size_at_fixed_register():
    args = (6, 213.43)
    assert payment_gbp(*args, 300, 8000, 0.034, 9639) == pytest.approx(
        payment_gbp(*args, 300, 12000, 0.034, 9639)
    )
    assert payment_gbp(*args, 300, 0, 0.034, 9639) == 0.0


@pytest.mark.parametrize(
    "achievement,expected",
    [(None, 0.0), (0.0, 0.0), (50.0, 0.0), (50.01, 6 * 0.01 / 40), (70.0, 3.0), (90.0, 6.0), (100.0, 6.0)],
)
def test_points_are_linear_between_thresholds(achievement, expected):
    assert points_for(achievement, 6, 50, 90) == pytest.approx(expected)


def test_achievement_with_empty_denominator_is_none():
    assert achievement_pct(0, 0) is None
    assert achievement_pct(1, 3) == pytest.approx(33.3333, abs=1e-3)
