"""The funnel plot as inline SVG: prevalence against list size for every practice in England.

Drawn in Python, no script and no external asset, so the same markup goes into the self-contained
report and the dashboard. The list-size axis is logarithmic (lists run from a few hundred to over
100,000 patients); practices outside the drawn range sit on its edge. England's ~6,000 practices are
one path of round dots, which keeps the markup small (about 15 bytes a practice).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from qof_cancer.benchmark.funnel import Z95, Z998

__all__ = ["FunnelPoint", "funnel_svg", "X_RANGE", "Y_MAX"]

X_RANGE = (1_000, 60_000)  # list sizes drawn
Y_MAX = 0.10  # prevalence drawn up to 10%
_W, _H = 960, 440
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 20, 16, 56


@dataclass(frozen=True)
class FunnelPoint:
    """One practice on the plot: its code, list size and prevalence (a fraction)."""

    code: str
    list_size: int
    prevalence: float


def _x(n: float) -> float:
    lo, hi = (math.log10(v) for v in X_RANGE)
    t = (math.log10(min(max(n, X_RANGE[0]), X_RANGE[1])) - lo) / (hi - lo)
    return _LEFT + t * (_W - _LEFT - _RIGHT)


def _y(p: float) -> float:
    t = min(max(p, 0.0), Y_MAX) / Y_MAX
    return _TOP + (1 - t) * (_H - _TOP - _BOTTOM)


def _limit_path(p0: float, z: float) -> str:
    steps = 80
    lo, hi = (math.log10(v) for v in X_RANGE)
    sizes = [10 ** (lo + (hi - lo) * i / steps) for i in range(steps + 1)]
    out = []
    for sign in (1, -1):
        points = [(_x(n), _y(p0 + sign * z * math.sqrt(p0 * (1 - p0) / n))) for n in sizes]
        out.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points))
    return " ".join(out)


def _axes() -> list[str]:
    parts = []
    bottom, right = _H - _BOTTOM, _W - _RIGHT
    for pct in range(0, int(Y_MAX * 100) + 1, 2):
        y = _y(pct / 100)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#e8edee"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{pct}%</text>')
    for n in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000):
        x = _x(n)
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{bottom}" stroke="#e8edee"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">{n:,}</text>')
    parts.append(
        f'<text x="{(_LEFT + right) / 2:.0f}" y="{_H - 10}" text-anchor="middle">'
        "List size (patients, log scale)</text>"
    )
    parts.append(
        f'<text x="14" y="{(_TOP + bottom) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(_TOP + bottom) / 2:.0f})">Cancer register prevalence</text>'
    )
    return parts


def funnel_svg(
    england: Sequence[FunnelPoint],
    p0: float,
    practices: Sequence[FunnelPoint],
    neighbours: Sequence[FunnelPoint] = (),
    title: str = "Cancer register prevalence against list size, every practice in England",
) -> str:
    """The funnel plot: England's practices in grey, `neighbours` (PCN practices) in orange, the run's
    `practices` in blue and labelled, England's prevalence `p0` with its 95% and 99.8% limits."""
    dots = "".join(f"M{_x(p.list_size):.1f} {_y(p.prevalence):.1f}h0" for p in england)
    parts = [
        f'<svg class="funnel" viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="funnel-title funnel-desc" '
        'font-family="Arial, sans-serif" font-size="13" fill="#212b32">',
        f'<title id="funnel-title">{escape(title)}</title>',
        f'<desc id="funnel-desc">{len(england):,} practices; England {100 * p0:.2f}%; dashed lines 95% '
        "and solid lines 99.8% control limits; the run's practices in blue.</desc>",
        *_axes(),
        f'<path d="{dots}" stroke="#aeb7bd" stroke-width="3.2" stroke-linecap="round" fill="none"/>',
        f'<path d="{_limit_path(p0, Z95)}" stroke="#212b32" stroke-width="1.4" stroke-dasharray="6 4" fill="none"/>',
        f'<path d="{_limit_path(p0, Z998)}" stroke="#212b32" stroke-width="1.6" fill="none"/>',
        f'<line x1="{_LEFT}" y1="{_y(p0):.1f}" x2="{_W - _RIGHT}" y2="{_y(p0):.1f}" stroke="#005eb8" '
        'stroke-width="1.5"/>',
    ]
    for p in neighbours:
        parts.append(
            f'<circle cx="{_x(p.list_size):.1f}" cy="{_y(p.prevalence):.1f}" r="5" fill="#ed8b00" '
            f'stroke="#fff"><title>{escape(p.code)}: {100 * p.prevalence:.2f}% of {p.list_size:,}</title></circle>'
        )
    placed: list[tuple[float, float]] = []
    for p in practices:
        x, y = _x(p.list_size), _y(p.prevalence)
        # A label that would sit on an earlier one goes below its dot instead.
        dy = 20 if any(abs(x - px) < 70 and abs(y - py) < 16 for px, py in placed) else -8
        placed.append((x, y + dy))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#005eb8" stroke="#fff" stroke-width="2">'
            f"<title>{escape(p.code)}: {100 * p.prevalence:.2f}% of {p.list_size:,}</title></circle>"
        )
        parts.append(f'<text x="{x + 10:.1f}" y="{y + dy:.1f}" font-weight="700">{escape(p.code)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
