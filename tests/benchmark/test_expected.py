"""The expected-register model: the fitter recovers known coefficients, and the fit on England is useful."""

from __future__ import annotations

import numpy as np
import pytest

from qof_cancer.benchmark.expected import _irls, cross_validate, expected_model
from qof_cancer.reference import load_reference


def test_irls_recovers_the_coefficients_of_simulated_poisson_counts():
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(4000), rng.uniform(0, 0.4, 4000), rng.normal(0, 1, 4000)])
    n = rng.integers(2000, 20000, 4000).astype(float)
    beta = np.array([-3.6, 2.0, 0.15])
    y = rng.poisson(n * np.exp(x @ beta)).astype(float)
    assert _irls(x, y, np.log(n)) == pytest.approx(beta, abs=0.03)


def test_an_older_list_is_expected_to_have_a_larger_register():
    model = expected_model()
    young = [100] * 8 + [20] * 12  # mostly under 40
    old = [20] * 8 + [100] * 12
    expected_young = model.expected(young, young, None, 10_000)[0]
    expected_old = model.expected(old, old, None, 10_000)[0]
    assert expected_old > 2 * expected_young


def test_cross_validated_fit_beats_the_england_rate_and_the_interval_covers_95_percent():
    fit = cross_validate(load_reference())
    assert fit.practices > 6000
    assert fit.median_abs_error < 0.5 * fit.baseline_median_abs_error
    assert fit.r2_prevalence > 0.5
    assert 0.93 <= fit.interval_coverage <= 0.97
