"""Funnel-plot limits against a case worked by hand, and where a practice falls."""

from __future__ import annotations

import pytest

from qof_cancer.benchmark.funnel import control_limits, funnel_band


def test_limits_match_a_hand_computed_case():
    """p0 = 3.8%, n = 10,000: se = sqrt(0.038 x 0.962 / 10,000) = sqrt(3.6556e-6) = 0.0019120.
    95%: 0.038 ± 1.96 x 0.0019120 = 3.4253% to 4.1747%; 99.8%: 0.038 ± 3.09 x 0.0019120 = 3.2092% to 4.3908%."""
    limits = control_limits(0.038, 10_000)
    assert limits.low_95 == pytest.approx(0.034253, abs=1e-6)
    assert limits.high_95 == pytest.approx(0.041747, abs=1e-6)
    assert limits.low_998 == pytest.approx(0.032092, abs=1e-6)
    assert limits.high_998 == pytest.approx(0.043908, abs=1e-6)


def test_limits_narrow_as_the_list_grows_and_never_go_below_zero():
    small, large = control_limits(0.038, 1_000), control_limits(0.038, 50_000)
    assert small.high_95 - small.low_95 > large.high_95 - large.low_95
    assert control_limits(0.01, 50).low_998 == 0.0  # 0.01 - 3.09 x 0.0141 < 0: floored


def test_band_names_each_region_and_the_edges_count_as_inside():
    limits = control_limits(0.038, 10_000)
    assert funnel_band(0.038, limits) == "within 95%"
    assert funnel_band(limits.high_95, limits) == "within 95%"
    assert funnel_band(0.042, limits) == "above 95%"
    assert funnel_band(0.045, limits) == "above 99.8%"
    assert funnel_band(0.034, limits) == "below 95%"
    assert funnel_band(0.030, limits) == "below 99.8%"


@pytest.mark.parametrize(("p0", "n"), [(0.0, 100), (1.0, 100), (0.04, 0)])
def test_impossible_inputs_are_refused(p0, n):
    with pytest.raises(ValueError):
        control_limits(p0, n)
