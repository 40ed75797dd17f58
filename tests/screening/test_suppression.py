"""Small-number suppression for pcn_summary.csv: 1-7 as *, others to the nearest 5, percentages from the
rounded figures, and secondary suppression so no hidden cell can be recovered by subtraction."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qof_cancer.screening.summary import build_pcn_summary
from qof_cancer.screening.suppression import (
    Policy,
    percent_shown,
    primary_suppressed,
    rounded,
    secondary_suppress,
    shown,
)

POLICY = Policy(max_suppressed=7, round_to=5)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1, "*"),
        (7, "*"),
        (8, "10"),
        (12, "10"),
        (13, "15"),
        (102, "100"),
        (103, "105"),
        (1000, "1000"),
    ],
)
def test_counts(value, text):
    assert shown(value, "c" in primary_suppressed({"c": value}, POLICY), POLICY) == text


def test_rounding_halves_go_up_with_an_even_base():
    assert rounded(15, Policy(round_to=10)) == 20 and rounded(14, Policy(round_to=10)) == 10


def test_percentage_from_rounded_figures():
    # 13 of 22 is 59.1% unrounded; the published figure uses 15 of 20
    assert percent_shown(13, 22, False, POLICY) == "75.0"
    assert percent_shown(13, 22, True, POLICY) == "*"


def test_single_hidden_cell_drags_the_smallest_other_into_hiding():
    values = {"total": 40, "a": 5, "b": 20, "c": 15}
    hidden = secondary_suppress(values, [("total", ("a", "b", "c"))], primary_suppressed(values, POLICY))
    assert hidden == {"a", "c"}


def test_chain_across_overlapping_sets():
    # practice A's LD count is small; hiding it forces a second LD cell (PCN set), which forces a
    # second cell in practice B's own set, and so on until no set has one hidden cell.
    values = {"pcn": 60, "A": 6, "B": 54, "A_all": 100, "A_no": 94, "B_all": 300, "B_no": 246}
    sets = [("pcn", ("A", "B")), ("A_all", ("A", "A_no")), ("B_all", ("B", "B_no"))]
    hidden = secondary_suppress(values, sets, primary_suppressed(values, POLICY))
    for total, parts in sets:
        assert len({total, *parts} & hidden) != 1
    assert {"A", "B"} <= hidden


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=4), min_size=1, max_size=4),
)
def test_no_additive_set_ever_has_exactly_one_hidden_cell(practices):
    """Groups per practice, practices per PCN, and the group totals: a two-way table of sums."""
    values, sets = {}, []
    n_groups = min(len(g) for g in practices)
    for i, groups in enumerate(practices):
        for j in range(n_groups):
            values[(i, j)] = groups[j]
        values[(i, "all")] = sum(groups[:n_groups])
        sets.append(((i, "all"), tuple((i, j) for j in range(n_groups))))
    for j in [*range(n_groups), "all"]:
        values[("pcn", j)] = sum(values[(i, j)] for i in range(len(practices)))
        sets.append((("pcn", j), tuple((i, j) for i in range(len(practices)))))
    sets.append((("pcn", "all"), tuple(("pcn", j) for j in range(n_groups))))
    primary = primary_suppressed(values, POLICY)
    hidden = secondary_suppress(values, sets, primary)
    assert primary <= hidden
    for total, parts in sets:
        cells = {total, *parts}
        inside = cells & hidden
        if len(inside) == 1:
            (only,) = inside
            others = cells - {only}
            assert all(values[c] == 0 for c in others if c != total)  # nothing left to hide it behind


def _coverage(level, practice, eligible, covered):
    return {
        "level": level,
        "pcn_code": "U1",
        "practice_code": practice,
        "programme": "bowel",
        "eligible": eligible,
        "covered": covered,
        "not_covered": eligible - covered,
        "standard_pct": 62.0,
    }


def _group(level, practice, group, eligible, covered, flag=""):
    return {
        "level": level,
        "pcn_code": "U1",
        "practice_code": practice,
        "programme": "bowel",
        "dimension": "learning_disability",
        "group": group,
        "eligible": eligible,
        "covered": covered,
        "flag": flag,
    }


def test_pcn_summary_hides_small_cells_and_what_would_reveal_them():
    coverage = [
        _coverage("practice", "A", 500, 300),
        _coverage("practice", "B", 400, 250),
        _coverage("pcn", None, 900, 550),
    ]
    groups = [
        _group("practice", "A", "Yes", 6, 2, "clearly below"),
        _group("practice", "A", "No", 494, 298),
        _group("practice", "B", "Yes", 40, 20),
        _group("practice", "B", "No", 360, 230),
        _group("pcn", None, "Yes", 46, 22, "clearly below"),
        _group("pcn", None, "No", 854, 528),
    ]
    rows = build_pcn_summary(coverage, groups, POLICY)
    cell = {(r["practice_code"], r["group"]): r for r in rows}
    a_ld = cell[("A", "Yes")]
    assert (a_ld["eligible"], a_ld["covered"], a_ld["coverage_pct"], a_ld["flag"]) == ("*", "*", "*", "")
    # A's LD-no figure would give A's LD count by subtraction from A's total, so one of them is hidden too
    assert "*" in (cell[("A", "No")]["eligible"], cell[("A", "all")]["eligible"])
    # and across the PCN: A's LD count = PCN LD - B's LD, so another cell of that set is hidden
    assert "*" in (cell[("B", "Yes")]["eligible"], cell[(None, "Yes")]["eligible"])
    # shown counts are multiples of 5, percentages from the rounded figures
    shown_rows = [r for r in rows if r["eligible"] != "*" and r["covered"] != "*"]
    assert shown_rows
    for r in shown_rows:
        assert int(r["eligible"]) % 5 == 0 and int(r["covered"]) % 5 == 0
        assert r["coverage_pct"] == f"{100 * int(r['covered']) / int(r['eligible']):.1f}"
    assert cell[("A", "all")]["standard_pct"] == 62.0
