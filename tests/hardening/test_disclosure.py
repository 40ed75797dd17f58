"""pcn_summary.csv holds against arithmetic: no hidden count can be worked out from the other cells."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qof_cancer.screening import run_screening
from qof_cancer.screening.disclosure import (
    Interval,
    attack,
    disclosed,
    propagate,
    protect,
    published_bounds,
)
from qof_cancer.screening.summary import additive_cells, recoverable, render_rows, summary_rows
from qof_cancer.screening.suppression import Policy, primary_suppressed, secondary_suppress
from qof_cancer.synth import SynthParams, write_synthetic

POLICY = Policy()
AS_OF = date(2025, 11, 15)


def test_shown_counts_bound_their_true_value():
    values = {"zero": 0, "ten": 12, "big": 103, "small": 3}
    bounds = published_bounds(values, {"small"}, POLICY)
    assert bounds == {
        "zero": Interval(0, 0),
        "ten": Interval(8, 12),
        "big": Interval(103, 107),
        "small": Interval(1, float("inf")),
    }


def _two_way(grid: list[list[int]]) -> tuple[dict, list]:
    """A table of practices (rows) by groups (columns) with every row, column and grand total."""
    values = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}
    rows, cols = range(len(grid)), range(len(grid[0]))
    for i in rows:
        values[(i, "all")] = sum(grid[i])
    for j in [*cols, "all"]:
        values[("pcn", j)] = sum(values[(i, j)] for i in rows)
    sets = [((i, "all"), tuple((i, j) for j in cols)) for i in [*rows, "pcn"]]
    sets += [(("pcn", j), tuple((i, j) for i in rows)) for j in [*cols, "all"]]
    return values, sets


def test_a_cell_only_the_sums_together_give_away_is_found_and_hidden_behind_more():
    """Exact totals (suppression without rounding, as some publishers do), nine cells hidden, and no row
    or column with a single hidden cell. Each sum on its own leaves practice 3's count in group 0
    between 1 and 3; together they pin it: the hidden cells of group 0 add to 24 - 15 = 9, and rows 0
    and 2 with column 3 give practice 0's plus practice 2's (3 + 7 - 3 = 7), so it is 9 - 7 = 2."""
    policy = Policy(round_to=1)
    grid = [
        [2, 9, 9, 1],
        [15, 3, 2, 0],
        [5, 12, 12, 2],
        [2, 5, 15, 10],
    ]
    values, sets = _two_way(grid)
    hidden = {(0, 0), (0, 3), (1, 1), (1, 2), (2, 0), (2, 3), (3, 0), (3, 1), (3, 2)}
    assert secondary_suppress(values, sets, hidden) == hidden  # the classic rule sees nothing to do
    bounds = published_bounds(values, hidden, policy)
    assert propagate(bounds, sets)[(3, 0)] == Interval(1, 3)  # the sums one at a time
    assert attack(bounds, sets, [(3, 0)])[(3, 0)] == Interval(2, 2)  # the sums together
    assert set(disclosed(values, sets, hidden, policy)) == {(3, 0)}
    safe = protect(values, sets, hidden, policy)
    assert safe > hidden and not disclosed(values, sets, safe, policy)
    after = attack(published_bounds(values, safe, policy), sets, sorted(safe, key=str))
    assert all(after[c].low <= values[c] <= after[c].high for c in values)  # sound
    assert all(after[c].width >= 1 for c in safe if 1 <= values[c] <= 7)


def _table(rng: random.Random) -> tuple[dict, list]:
    """A random table like pcn_summary's: groups by practice with totals, each cell eligible = covered +
    not covered, and every set that adds up."""
    practices, groups = rng.randint(2, 3), rng.randint(2, 3)
    sizes = [0, 0, 1, 1, 2, 3, 6, 9, 13, 30, 250, 600]
    values: dict = {}
    for i in range(practices):
        for j in range(groups):
            values[(i, j, "c")], values[(i, j, "n")] = rng.choice(sizes), rng.choice(sizes)
    rows, cols = [*range(practices), "pcn"], [*range(groups), "all"]
    for m in ("c", "n"):
        for i in range(practices):
            values[(i, "all", m)] = sum(values[(i, j, m)] for j in range(groups))
        for j in cols:
            values[("pcn", j, m)] = sum(values[(i, j, m)] for i in range(practices))
    sets = []
    for i in rows:
        for j in cols:
            values[(i, j, "e")] = values[(i, j, "c")] + values[(i, j, "n")]
            sets.append(((i, j, "e"), ((i, j, "c"), (i, j, "n"))))
    for m in ("e", "c", "n"):
        sets += [((i, "all", m), tuple((i, j, m) for j in range(groups))) for i in rows]
        sets += [(("pcn", j, m), tuple((i, j, m) for i in range(practices))) for j in cols]
    return values, sets


def test_secondary_suppression_alone_can_leave_a_cell_recoverable_and_protect_closes_it():
    rng = random.Random(15)
    leaks = 0
    for _ in range(400):
        values, sets = _table(rng)
        hidden = secondary_suppress(values, sets, primary_suppressed(values, POLICY))
        if found := disclosed(values, sets, hidden, POLICY):
            leaks += 1
            assert all(b.low == b.high == values[c] for c, b in found.items())  # the exact value
            try:
                safe = protect(values, sets, hidden, POLICY)
            except ValueError:
                continue
            assert not disclosed(values, sets, safe, POLICY)
    assert leaks  # no set has a single hidden cell, yet the sums pin some cells


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=2, max_size=4))
def test_bounds_are_sound_and_protect_leaves_nothing_recoverable(practices):
    """A two-way table (groups by practice, with totals): every interval holds the true value, and after
    protection no small hidden count is pinned."""
    n = min(len(g) for g in practices)
    values, sets = {}, []
    for i, groups in enumerate(practices):
        for j in range(n):
            values[(i, j)] = groups[j]
        values[(i, "all")] = sum(groups[:n])
        sets.append(((i, "all"), tuple((i, j) for j in range(n))))
    for j in [*range(n), "all"]:
        values[("pcn", j)] = sum(values[(i, j)] for i in range(len(practices)))
        sets.append((("pcn", j), tuple((i, j) for i in range(len(practices)))))
    sets.append((("pcn", "all"), tuple(("pcn", j) for j in range(n))))
    hidden = secondary_suppress(values, sets, primary_suppressed(values, POLICY))
    try:
        hidden = protect(values, sets, hidden, POLICY)
    except ValueError:
        return  # nothing left to hide behind: the run stops rather than publish
    bounds = published_bounds(values, hidden, POLICY)
    for cell, bound in attack(bounds, sets, sorted(hidden, key=str)).items():
        assert bound.low <= values[cell] <= bound.high
        assert propagate(bounds, sets)[cell].width >= bound.width  # the solver never knows less
    assert not disclosed(values, sets, hidden, POLICY)


def _old_sets(rows: list[dict]) -> list:
    """The sets as pcn_summary was built before this check: every breakdown merged into one set."""
    _, sets = additive_cells(rows)
    merged: dict[tuple, list] = defaultdict(list)
    kept = []
    for total, parts in sets:
        if total[4] == "all" and parts and parts[0][4] != "all":
            merged[total] += parts
        else:
            kept.append((total, parts))
    return kept + [(t, tuple(p)) for t, p in merged.items()]


@pytest.fixture(scope="module", params=[(4, 10_000), (5, 10_000)], ids=["demo PCN", "50,000 patients"])
def screened(request, tmp_path_factory):
    practices, size = request.param
    folder = tmp_path_factory.mktemp("pcn")
    write_synthetic(folder, "parquet", practices, size, 2026, AS_OF, SynthParams())
    result = run_screening(folder / "patients.parquet", folder / "events.parquet", as_of=AS_OF, today=AS_OF)
    return result


@pytest.mark.parametrize("screened", [(4, 10_000)], indirect=True, ids=["demo PCN"])
def test_yesterdays_pcn_summary_gave_cells_away(screened):
    """The method before this check (secondary suppression alone) on the demo PCN: hidden cells are
    recoverable from the file, and the attack finds them (on the 50,000-patient PCN of today's
    synthetic data it happens to leave none to find)."""
    rows = summary_rows(screened.tables["coverage"].to_pylist(), screened.tables["groups"].to_pylist())
    values, _ = additive_cells(rows)
    old = secondary_suppress(values, _old_sets(rows), primary_suppressed(values, POLICY))
    assert recoverable(render_rows(rows, old, POLICY), POLICY)


def test_the_pcn_summary_passes_the_disclosure_check(screened):
    published = screened.tables["pcn_summary"].to_pylist()
    assert published and not recoverable(published, POLICY)
    counts = [r[m] for r in published for m in ("eligible", "covered", "not_covered")]
    assert not [c for c in counts if c != "*" and 1 <= int(c) <= 7]
    assert sum(c == "*" for c in counts) < len(counts) / 2  # still a useful table
