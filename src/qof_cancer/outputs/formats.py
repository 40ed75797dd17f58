"""How numbers are shown to people, in the report and the dashboard alike."""

from __future__ import annotations

__all__ = ["pct", "gbp", "num", "pts", "FILTERS"]


def pct(value: float | None, places: int = 1) -> str:
    return "–" if value is None else f"{value:.{places}f}%"


def gbp(value: float | None) -> str:
    return "–" if value is None else f"£{value:,.2f}"


def num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.0f}"


def pts(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


# Jinja2 filter names used by the templates.
FILTERS = {"pct": pct, "gbp": gbp, "num": num, "pts": pts}
