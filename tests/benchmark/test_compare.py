"""benchmark.csv rows and register_check.csv rows from summary-style rows and the bundled figures."""

from __future__ import annotations

import pytest

from qof_cancer.benchmark.compare import NOT_IN_REFERENCE, benchmark_rows, england_prevalence
from qof_cancer.benchmark.expected import expected_model
from qof_cancer.benchmark.feature import register_check_rows
from qof_cancer.reference import load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def _published_row(p):
    return {"practice_code": p.code, "list_size": p.list_size, "register": p.register}


def test_a_practice_with_its_published_figures_ranks_where_england_puts_it(ref):
    practice = ref.get("A81001")
    [row] = benchmark_rows([_published_row(practice)], ref, expected_model(ref), {})
    others = [p.prevalence for p in ref.with_register() if p.code != "A81001"]
    assert row["england_practices"] == len(others) + 1 == 6188
    assert row["england_rank"] == 1 + sum(v > practice.prevalence for v in others)
    assert row["england_percentile"] == round(
        100 * sum(v < practice.prevalence for v in others) / len(others), 1
    )
    pcn = [p for p in ref.with_register() if p.pcn_code == "U89141"]
    assert row["pcn_prevalence_pct"] == round(
        100 * sum(p.register for p in pcn) / sum(p.list_size for p in pcn), 3
    )
    assert row["pcn_practices"] == len(pcn)
    assert row["england_prevalence_pct"] == round(100 * england_prevalence(ref), 3) == 3.802
    assert row["in_reference"] and row["note"] is None
    assert row["expected_register"] is None  # no age-sex profile from the run given


def test_a_synthetic_code_gets_a_note_and_england_only(ref):
    [row] = benchmark_rows(
        [{"practice_code": "Y90001", "list_size": 5000, "register": 400}], ref, expected_model(ref), {}
    )
    assert row["note"] == NOT_IN_REFERENCE and not row["in_reference"]
    assert row["pcn_prevalence_pct"] is None and row["icb_rank"] is None
    assert row["england_rank"] < 200  # 8% is among England's highest
    assert row["funnel"] == "above 99.8%"


def test_a_register_far_below_expectation_says_look_for_uncoded_diagnoses(ref):
    p = ref.get("A81001")
    model = expected_model(ref)
    expected, low, _ = model.expected(p.female, p.male, p.imd_score, p.list_size)
    row = {"practice_code": "A81001", "list_size": p.list_size, "register": int(low) - 5}
    [out] = benchmark_rows([row], ref, model, {"A81001": (p.female, p.male)})
    assert out["register_vs_expected"].startswith("below expected")
    assert "uncoded" in out["register_vs_expected"] and "data-quality" in out["register_vs_expected"]
    assert out["expected_register"] == round(expected, 1)  # and the words quote the same figure
    assert f"about {round(expected, 1):,.0f} expected" in out["register_vs_expected"]
    assert out["expected_basis"].endswith("published IMD 2025 score")


def test_register_check_within_one_percent_and_not(ref):
    rows = [
        {"practice_code": "A81001", "register": 145},  # published 144: +0.69%
        {"practice_code": "A81002", "register": 800},  # published 819: -2.32%
        {"practice_code": "Y90001", "register": 10},
    ]
    a, b, c = register_check_rows(rows, ref, "2024-25")
    assert (a["difference"], a["difference_pct"], a["within_1pct"]) == (1, 0.69, True)
    assert (b["published_register"], b["difference"], b["difference_pct"], b["within_1pct"]) == (
        819,
        -19,
        -2.32,
        False,
    )
    assert c["published_register"] is None and c["note"] == "no published register for this code"


def test_ranks_and_groups_equal_counting_every_other_practice(ref):
    """Ranks from England's prevalences ordered once equal counting the others one by one: for practices
    at, above, below and between published figures, and for a code England does not have."""
    import random

    chosen = random.Random(7).sample(list(ref.with_register()), 40)
    rows = [_published_row(p) for p in chosen[:10]]
    rows += [{**_published_row(p), "register": p.register + 3} for p in chosen[10:25]]
    rows += [{"practice_code": p.code, "list_size": q.list_size, "register": q.register} for p, q in
             zip(chosen[25:], chosen[:15], strict=False)]  # fmt: skip
    rows.append({"practice_code": "Y90001", "list_size": chosen[0].list_size, "register": chosen[0].register})
    for row, got in zip(rows, benchmark_rows(rows, ref, expected_model(ref), {}), strict=True):
        value = row["register"] / row["list_size"]
        others = [p for p in ref.with_register() if p.code != row["practice_code"]]
        assert got["england_practices"] == len(others) + 1
        assert got["england_rank"] == 1 + sum(p.prevalence > value for p in others)
        below = sum(p.prevalence < value for p in others)
        assert got["england_percentile"] == round(100 * below / len(others), 1)
        known = ref.get(row["practice_code"])
        if known is not None:
            pcn = [p for p in others if p.pcn_code == known.pcn_code]
            assert got["pcn_practices"] == len(pcn) + 1
            assert got["pcn_rank"] == 1 + sum(p.prevalence > value for p in pcn)
