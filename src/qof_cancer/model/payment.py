"""Points from achievement, and pounds from points (prevalence- and list-adjusted)."""

from __future__ import annotations

__all__ = ["achievement_pct", "points_for", "payment_gbp"]


def achievement_pct(numerator: int, denominator: int) -> float | None:
    """numerator / denominator x 100, or None when nobody is in the denominator."""
    return None if denominator == 0 else 100.0 * numerator / denominator


def points_for(achievement: float | None, max_points: float, lower: float, upper: float) -> float:
    """0 at or below the lower threshold, the maximum at or above the upper, linear between."""
    if achievement is None or achievement <= lower:
        return 0.0
    if achievement >= upper:
        return float(max_points)
    return max_points * (achievement - lower) / (upper - lower)


def payment_gbp(
    points: float,
    pounds_per_point: float,
    register: int,
    list_size: int,
    national_prevalence: float,
    national_average_list_size: float,
) -> float:
    """points x £/point x (list / national average list) x (practice prevalence / national prevalence).

    With prevalence = register / list size this is points x £/point x register / (national prevalence x
    national average list size): the list size cancels, so a practice with no list has no payment.
    """
    if list_size <= 0:
        return 0.0
    list_factor = list_size / national_average_list_size
    prevalence_factor = (register / list_size) / national_prevalence
    return points * pounds_per_point * list_factor * prevalence_factor
