"""The disclosure check: can a hidden cell of a published table be worked out from the others?

Rounding to 5 and hiding 1-7 is not enough on its own. Each shown count `r` says its true value lies in
`[r - 2, r + 2]` (for rounding to 5; 0 means exactly 0, and no shown value is 1-7), each hidden count is
at least 1, and the cells sit in sets that add up (covered + not covered = eligible; the practices make
the PCN; the groups of a breakdown make the whole). This module computes the interval a reader of the
file can reach for each hidden cell: first by applying every set's sum over and over (interval
propagation, in whole numbers, to a fixed point: cheap, and what a spreadsheet user reaches), then by
the least and greatest value the cell can take under every sum and bound at once (`linear_bounds`: a
linear programme per cell, which also finds cells that only several sums together pin). `protect` hides
more cells until no hidden count of 1 to 7 can be pinned to one value or narrowed below
`Policy.min_width`.

The intervals are sound (the true value always lies inside). An integer programme could be tighter
than the linear one by a fraction in rare tables, which is why `protect` can keep a margin (`min_width`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from qof_cancer.screening.linear_bounds import linear_bounds
from qof_cancer.screening.suppression import Policy, rounded

__all__ = ["Interval", "published_bounds", "propagate", "attack", "disclosed", "protect"]

Cell = Hashable
Sets = list[tuple[Cell, tuple[Cell, ...]]]
_INF = math.inf
_MAX_ROUNDS = 200


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def published_bounds(values: Mapping[Cell, int], hidden: set[Cell], policy: Policy) -> dict[Cell, Interval]:
    """What the published file alone says about each cell (before using the sums)."""
    half = policy.round_to / 2
    out = {}
    for cell, value in values.items():
        if cell in hidden:
            out[cell] = Interval(1, _INF)
            continue
        shown = rounded(value, policy)
        low, high = math.ceil(shown - half), math.ceil(shown + half) - 1
        if shown == 0:
            low, high = 0, 0 if high <= policy.max_suppressed else high
        else:
            low = max(low, policy.max_suppressed + 1)
        out[cell] = Interval(max(low, 0), high)
    return out


def propagate(
    bounds: Mapping[Cell, Interval], sets: Iterable[tuple[Cell, tuple[Cell, ...]]]
) -> dict[Cell, Interval]:
    """Narrow every interval with every `total = sum(parts)` until nothing changes.

    A queue of sets: a set is looked at again only when one of its cells has narrowed. Every step
    narrows some whole-number bound, and a cell is revisited at most `_MAX_ROUNDS` times per set, so
    this ends even on a cycle that would creep by one at a time.
    """
    lo = {c: b.low for c, b in bounds.items()}
    hi = {c: b.high for c, b in bounds.items()}
    groups = [(t, tuple(p for p in parts if p in lo)) for t, parts in sets if t in lo]
    groups = [g for g in groups if g[1]]
    touching: dict[Cell, list[int]] = {}
    for i, (total, parts) in enumerate(groups):
        for c in (total, *parts):
            touching.setdefault(c, []).append(i)
    queue, queued = list(range(len(groups))), set(range(len(groups)))
    visits = [0] * len(groups)
    while queue:
        i = queue.pop()
        queued.discard(i)
        visits[i] += 1
        if visits[i] > _MAX_ROUNDS:
            continue
        total, parts = groups[i]
        narrowed = []
        sum_lo, sum_hi = sum(lo[p] for p in parts), sum(hi[p] for p in parts)
        if sum_lo > lo[total]:
            lo[total] = sum_lo
            narrowed.append(total)
        if sum_hi < hi[total]:
            hi[total] = sum_hi
            narrowed.append(total)
        for p in parts:
            new_lo = lo[total] - (sum_hi - hi[p])
            new_hi = hi[total] - (sum_lo - lo[p])
            if new_lo > lo[p]:
                lo[p] = new_lo
                narrowed.append(p)
            if new_hi < hi[p]:
                hi[p] = new_hi
                narrowed.append(p)
        for c in narrowed:
            for j in touching[c]:
                if j not in queued:
                    queue.append(j)
                    queued.add(j)
    return {c: Interval(lo[c], hi[c]) for c in lo}


def attack(
    bounds: Mapping[Cell, Interval], sets: Sets, cells: Iterable[Cell], enough: float = math.inf
) -> dict[Cell, Interval]:
    """Every cell's interval after propagation, and for `cells` the tightest the sums allow together
    (`linear_bounds`: linear programmes started from the propagated intervals). A cell shown to stay at
    least `enough` wide is not narrowed further (see `linear_bounds`)."""
    narrowed = propagate(bounds, sets)
    solved = linear_bounds(narrowed, sets, cells, enough)
    return {**narrowed, **{c: Interval(low, high) for c, (low, high) in solved.items()}}


def disclosed(
    values: Mapping[Cell, int], sets: Sets, hidden: set[Cell], policy: Policy
) -> dict[Cell, Interval]:
    """Hidden cells whose true value is 1 to `max_suppressed` and whose interval, worked out from the
    published cells and every sum together, is narrower than `policy.min_width` (0: pinned to one value).

    Propagation first: when it already narrows a cell, those cells are returned without the solver (the
    solver would only add to them, and `protect` asks again after hiding more)."""
    small = sorted((c for c in hidden if 1 <= values[c] <= policy.max_suppressed), key=str)
    narrowed = propagate(published_bounds(values, hidden, policy), sets)
    found = {c: narrowed[c] for c in small if narrowed[c].width < policy.min_width}
    if found or not small:
        return found
    solved = attack(narrowed, sets, small, enough=policy.min_width)
    return {c: solved[c] for c in small if solved[c].width < policy.min_width}


def protect(values: Mapping[Cell, int], sets: Sets, hidden: set[Cell], policy: Policy) -> set[Cell]:
    """Hide more cells until `disclosed` finds nothing; return every hidden cell.

    For each disclosed cell, the cell hidden next is the smallest shown non-zero cell of a set that
    holds it, or, when every such cell is hidden already, of a set reached through hidden cells (the
    bound comes from further away); the fewest counts are lost and hiding only widens intervals, so this
    ends. Zeros are never hidden: a hidden count is known to be 1 or more. Raises ValueError when a
    disclosed cell has nothing left to hide behind.
    """
    hidden = set(hidden)
    sets_of: dict[Cell, list[tuple[Cell, ...]]] = {}
    for total, parts in sets:
        cells = tuple(c for c in (total, *parts) if c in values)
        for c in cells:
            sets_of.setdefault(c, []).append(cells)
    while found := disclosed(values, sets, hidden, policy):
        chosen = set()
        for cell in sorted(found, key=str):
            candidate = _nearest_shown(cell, values, sets_of, hidden | chosen)
            if candidate is None:
                raise ValueError(f"cell {cell} can be worked out from the others and nothing is left to hide")
            chosen.add(candidate)
        hidden |= chosen
    return hidden


def _nearest_shown(
    cell: Cell, values: Mapping[Cell, int], sets_of: Mapping[Cell, list[tuple[Cell, ...]]], hidden: set[Cell]
) -> Cell | None:
    """The smallest shown non-zero cell in the sets around `cell`, looking further out through hidden
    cells until one is found."""
    seen, frontier = {cell}, [cell]
    while frontier:
        around = {c for f in frontier for group in sets_of.get(f, ()) for c in group} - seen
        shown = [c for c in around if c not in hidden and values[c] > 0]
        if shown:
            return min(shown, key=lambda c: (values[c], str(c)))
        seen |= around
        frontier = [c for c in around if c in hidden]
    return None
