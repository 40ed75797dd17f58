"""Funnel-plot control limits for a proportion, and where a practice falls against them.

For a practice with list size n, the limits around the England prevalence p0 are

    p0 ± z · sqrt(p0 (1 − p0) / n)

with z = 1.96 (95%, "warning") and z = 3.09 (99.8%, "control"): the normal approximation to the binomial
that Spiegelhalter (2005, "Funnel plots for comparing institutional performance") and the NHS's own
funnel charts use. At a GP list size (thousands) and a 3.8% prevalence the approximation is close to
the exact binomial limits; the lower limit is floored at 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Z95", "Z998", "Limits", "control_limits", "funnel_band"]

Z95 = 1.96
Z998 = 3.09


@dataclass(frozen=True)
class Limits:
    """The 95% and 99.8% limits (fractions) for one list size."""

    low_998: float
    low_95: float
    high_95: float
    high_998: float


def control_limits(p0: float, n: int) -> Limits:
    """The funnel limits around `p0` (a fraction) for a list of `n` patients."""
    if not 0 < p0 < 1 or n <= 0:
        raise ValueError(f"control limits need 0 < p0 < 1 and n > 0, got p0={p0}, n={n}")
    se = math.sqrt(p0 * (1 - p0) / n)
    return Limits(max(0.0, p0 - Z998 * se), max(0.0, p0 - Z95 * se), p0 + Z95 * se, p0 + Z998 * se)


def funnel_band(p: float, limits: Limits) -> str:
    """Where `p` falls: 'within 95%', 'above 95%', 'above 99.8%', 'below 95%' or 'below 99.8%'."""
    if p > limits.high_998:
        return "above 99.8%"
    if p > limits.high_95:
        return "above 95%"
    if p < limits.low_998:
        return "below 99.8%"
    if p < limits.low_95:
        return "below 95%"
    return "within 95%"
