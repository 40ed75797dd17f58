"""The tightest bounds on a cell that the published counts and every sum allow together: linear programmes.

Each cell is a variable between its published bounds (a shown count `r` lies in `[r - 2, r + 2]`, a
hidden one is at least 1, zero is exactly 0), and each additive set is an equation `total = sum(parts)`.
The smallest and the largest value a cell can take subject to all of them at once is a linear programme
(minimise, then maximise, the cell); rounded inward to whole numbers (every count is one), that is the
interval someone with the published file and a solver can reach. It is never wider than what applying
the sums one at a time gives (`disclosure.propagate`), and can be narrower: a cell fixed only by
combining several equations, as `a = (T1 + T2 - T3) / 2` when `T1 = a + b`, `T2 = a + c`, `T3 = b + c`.

The programmes are solved with HiGHS (scipy's `linprog`), per connected group of cells (cells linked by
a set), so each has only the variables that can matter. The work is on aggregates, not patient rows.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Protocol

import numpy as np

# scipy is imported where a programme is solved, not here: it takes longer to import (~0.4 s) than most
# runs spend in this module, and every command line start would pay for it.

__all__ = ["linear_bounds"]

Cell = Hashable
# A cell's value is a whole number: a solver's 4.9999999 is 5. Far above HiGHS's own tolerance (1e-7).
_SLACK = 1e-6


class Bounded(Protocol):
    low: float
    high: float


def linear_bounds(
    bounds: Mapping[Cell, Bounded],
    sets: Iterable[tuple[Cell, tuple[Cell, ...]]],
    cells: Iterable[Cell],
    enough: float = math.inf,
) -> dict[Cell, tuple[float, float]]:
    """(low, high) for each of `cells`: the least and greatest whole value it can take subject to every
    cell's bounds and every `total = sum(parts)` (cells not in `bounds` are left out of a set, as they
    are not published). `high` is `inf` when nothing bounds the cell from above.

    Every solution a programme returns is a table that fits the published file, so it shows values each
    other cell can take. A cell whose values seen so far already span `enough` is not solved further
    (the question "can it be narrowed below `enough`?" is answered): its (low, high) is then the span
    seen, inside the true one and at least `enough` wide. The default solves every cell exactly."""
    groups = [(t, tuple(p for p in parts if p in bounds)) for t, parts in sets if t in bounds]
    groups = [(t, parts) for t, parts in groups if parts]
    component = _components(bounds, groups)
    wanted: dict[int, list[Cell]] = {}
    for cell in cells:
        wanted.setdefault(component[cell], []).append(cell)
    out: dict[Cell, tuple[float, float]] = {}
    for root, targets in wanted.items():
        members = [c for c in bounds if component[c] == root]
        own = [g for g in groups if component[g[0]] == root]
        out.update(_solve(bounds, members, own, targets, enough))
    return out


def _components(bounds: Mapping[Cell, Bounded], groups: list[tuple[Cell, tuple[Cell, ...]]]) -> dict:
    """Each cell -> a number shared by the cells it is linked to through sets (union-find)."""
    parent = {c: c for c in bounds}

    def find(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for total, parts in groups:
        root = find(total)
        for p in parts:
            other = find(p)
            if other != root:
                parent[other] = root
    ids: dict[Cell, int] = {}
    return {c: ids.setdefault(find(c), len(ids)) for c in bounds}


def _solve(
    bounds: Mapping[Cell, Bounded],
    members: list[Cell],
    groups: list[tuple[Cell, tuple[Cell, ...]]],
    targets: list[Cell],
    enough: float,
) -> dict[Cell, tuple[float, float]]:
    if not groups:  # a cell in no set: its own bounds are all there is
        return {c: (bounds[c].low, bounds[c].high) for c in targets}
    from scipy.sparse import coo_matrix

    index = {c: i for i, c in enumerate(members)}
    limits = [(bounds[c].low, None if math.isinf(bounds[c].high) else bounds[c].high) for c in members]
    rows, cols, coefficients = [], [], []
    for r, (total, parts) in enumerate(groups):
        for cell, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            rows.append(r)
            cols.append(index[cell])
            coefficients.append(sign)
    equations = coo_matrix((coefficients, (rows, cols)), shape=(len(groups), len(members))).tocsr()
    problem = (equations, np.zeros(len(groups)), limits)
    seen_low = np.full(len(members), math.inf)
    seen_high = np.full(len(members), -math.inf)

    def spans_enough(i: int) -> bool:
        if math.isinf(enough) or seen_high[i] < seen_low[i]:
            return False
        return math.floor(seen_high[i] + _SLACK) - math.ceil(seen_low[i] - _SLACK) >= enough

    def see(x: np.ndarray | None) -> None:
        if x is not None:
            np.minimum(seen_low, x, out=seen_low)
            np.maximum(seen_high, x, out=seen_high)

    if not math.isinf(enough):
        # Two tables at opposite corners (every target as low, then as high, as it can be) show most
        # targets' spread at once, so few need programmes of their own.
        together = np.zeros(len(members))
        together[[index[c] for c in targets]] = 1.0
        for sign in (1.0, -1.0):
            see(_optimum(sign * together, *problem)[1])
    out = {}
    for cell in targets:
        i = index[cell]
        objective = np.zeros(len(members))
        objective[i] = 1.0
        found = []
        for sign in (1.0, -1.0):
            if spans_enough(i):
                break
            value, x = _optimum(sign * objective, *problem)
            found.append(sign * value)
            see(x)
        if len(found) < 2 and spans_enough(i):
            out[cell] = (math.ceil(seen_low[i] - _SLACK), math.floor(seen_high[i] + _SLACK))
            continue
        low, high = found
        out[cell] = (
            max(bounds[cell].low, math.ceil(low - _SLACK)),
            min(bounds[cell].high, high if math.isinf(high) else math.floor(high + _SLACK)),
        )
    return out


def _optimum(
    objective: np.ndarray, equations, zeros: np.ndarray, limits: list
) -> tuple[float, np.ndarray | None]:
    """The least value of `objective` and the table that reaches it (None when it falls without end)."""
    from scipy.optimize import linprog

    result = linprog(objective, A_eq=equations, b_eq=zeros, bounds=limits, method="highs")
    if result.status == 3:  # unbounded: the cell has no maximum (the minimum is bounded by 0)
        return -math.inf, None
    if result.status != 0:
        # Infeasible cannot happen for true published counts (the true table is a solution); anything
        # else is a solver failure, and a disclosure check that cannot answer must not pass.
        raise RuntimeError(f"disclosure check: the linear programme failed ({result.message})")
    return float(result.fun), result.x
