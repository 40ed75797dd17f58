"""Small-number suppression for figures that leave the practice (NHS Digital style, the default policy).

- A count of 1 to 7 is shown as `*`; 0 is shown as 0; every other count is rounded to the nearest 5
  (halves up), from the unrounded figure.
- A percentage is worked out from the rounded counts, and is `*` when either count is hidden.
- Secondary suppression: the published counts sit in additive sets (covered + not covered = eligible;
  the practices of a PCN add up to the PCN; the groups of a breakdown add up to the whole). Where exactly
  one cell of a set is hidden, it could be recovered by subtraction, so the smallest other non-zero cell
  of that set is hidden too. This repeats until no set has a single hidden cell.

The work is on aggregates (a few thousand cells), not on patient rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Policy", "primary_suppressed", "secondary_suppress", "rounded", "shown", "percent_shown"]

HIDDEN = "*"


@dataclass(frozen=True)
class Policy:
    max_suppressed: int = 7
    round_to: int = 5
    # A hidden small count must stay uncertain by at least this much after every published sum is used
    # (see disclosure.py): 1 stops exact recovery; 2 would also stop "3 or 4".
    min_width: int = 1


def primary_suppressed(values: Mapping[Hashable, int], policy: Policy) -> set[Hashable]:
    """The cells whose own value is small: 1 to `max_suppressed`."""
    return {k for k, v in values.items() if 1 <= v <= policy.max_suppressed}


def secondary_suppress(
    values: Mapping[Hashable, int],
    sets: Iterable[tuple[Hashable, tuple[Hashable, ...]]],
    hidden: set[Hashable],
) -> set[Hashable]:
    """Hide more cells until no additive set (total, parts) has exactly one hidden cell; return them all.

    Cells missing from `values` are ignored (a set is checked over the cells that are published).
    """
    hidden = set(hidden)
    groups = [tuple(c for c in (total, *parts) if c in values) for total, parts in sets]
    changed = True
    while changed:
        changed = False
        for members in groups:
            inside = [c for c in members if c in hidden]
            if len(inside) != 1:
                continue
            candidates = [c for c in members if c not in hidden and values[c] > 0]
            if not candidates:
                continue  # every other cell is zero: nothing left to hide it behind
            hidden.add(min(candidates, key=lambda c: (values[c], str(c))))
            changed = True
    return hidden


def rounded(value: int, policy: Policy) -> int:
    """Nearest multiple of `round_to`, halves up."""
    base = policy.round_to
    return (2 * value + base) // (2 * base) * base


def shown(value: int, is_hidden: bool, policy: Policy) -> str:
    """The published text of a count."""
    if is_hidden:
        return HIDDEN
    return str(rounded(value, policy))


def percent_shown(part: int, whole: int, hidden: bool, policy: Policy) -> str:
    """A percentage from the rounded counts (one decimal), `*` when either count is hidden."""
    if hidden:
        return HIDDEN
    denominator = rounded(whole, policy)
    if denominator == 0:
        return ""
    return f"{100 * rounded(part, policy) / denominator:.1f}"
