"""Low-participation groups, the follow-up list, results not back, and contact data, on small made-up lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qof_cancer.screening.run import run_screening
from tests.screening.helpers import P, write_screening_inputs

AS_OF = date(2025, 11, 15)
RECENT = date(2024, 6, 1)  # inside every window


def _women(prefix: str, n: int, covered: int, **kw) -> list[P]:
    """n women aged 30, the first `covered` with a recent test."""
    return [
        P(f"{prefix}{i:03d}", date(1995, 1, 1), events=[("SMEAR_COD", RECENT)] if i < covered else [], **kw)
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    people = (
        _women("main", 200, 160, imd="3")  # 80%
        + _women("ld", 20, 2, imd="3")  # 10%, learning disability: clearly below
        + _women("dep", 20, 14, imd="1")  # 70%: below, but the interval includes the practice figure
        + _women("tiny", 3, 0, imd="2")  # 0% of 3: too few to flag
    )
    for p in people:
        if p.patient_id.startswith("ld"):
            p.events.append(("LD_COD", date(2010, 1, 1)))
    # follow-up statuses (all aged 30, not covered)
    people += [
        P(
            "nr",
            date(1995, 1, 1),
            events=[("SMEAR_COD", date(2020, 1, 1)), ("CSPCAINVITE_COD", date(2025, 1, 1))],
        ),
        P("never", date(1995, 1, 1), mobile=None, home="020 7946 0123"),
        P("lapsed", date(1995, 1, 1), events=[("SMEAR_COD", date(2021, 6, 1))], mobile="07000 900123"),
        P("declined", date(1995, 1, 1), events=[("CSDEC_COD", date(2025, 2, 1))], mobile="0791112345"),
        # a recorded non-response before the last test is history, not a current non-response
        P(
            "old_nr",
            date(1995, 1, 1),
            events=[("CSPCAINVITE_COD", date(2019, 1, 1)), ("SMEAR_COD", date(2021, 1, 1))],
        ),
    ]
    # results not back: sample 43 days ago, no result (pending); 41 days ago (too soon); with result (back)
    people += [
        P("pend", date(1990, 1, 1), events=[("417036008", AS_OF - timedelta(days=43))]),
        P("soon", date(1990, 1, 1), events=[("417036008", AS_OF - timedelta(days=41))]),
        P(
            "back",
            date(1990, 1, 1),
            events=[("417036008", date(2025, 6, 1)), ("888091000000108", date(2025, 7, 20))],
        ),
        P("old", date(1990, 1, 1), events=[("417036008", date(2024, 6, 1))]),  # beyond the 12-month look-back
    ]
    folder = tmp_path_factory.mktemp("groups")
    patients, events = write_screening_inputs(folder, people)
    return run_screening(patients, events, as_of=AS_OF, today=AS_OF)


def _group(result, dimension, group, level="practice"):
    rows = [
        r
        for r in result.tables["groups"].to_pylist()
        if r["programme"] == "cervical_25_49"
        and r["dimension"] == dimension
        and r["group"] == group
        and r["level"] == level
    ]
    assert len(rows) == 1
    return rows[0]


def test_group_clearly_below_is_flagged(result):
    ld = _group(result, "learning_disability", "Yes")
    assert (ld["eligible"], ld["covered"]) == (20, 2)
    assert ld["ci_high_pct"] < ld["unit_coverage_pct"]
    assert ld["flag"] == "clearly below"
    assert _group(result, "learning_disability", "Yes", level="pcn")["flag"] == "clearly below"


def test_group_below_but_interval_includes_practice_is_not_flagged(result):
    dep = _group(result, "imd_quintile", "1")
    assert dep["coverage_pct"] < dep["unit_coverage_pct"] <= dep["ci_high_pct"]
    assert dep["flag"] == ""


def test_tiny_group_is_shown_not_flagged(result):
    tiny = _group(result, "imd_quintile", "2")
    assert tiny["eligible"] == 3 and tiny["coverage_pct"] == 0.0 and tiny["flag"] == ""


def test_groups_of_a_dimension_add_up_to_the_practice(result):
    total = next(
        r
        for r in result.tables["coverage"].to_pylist()
        if r["level"] == "practice" and r["programme"] == "cervical_25_49"
    )
    for dimension in ("imd_quintile", "learning_disability", "language", "age_band"):
        rows = [
            r
            for r in result.tables["groups"].to_pylist()
            if r["level"] == "practice" and r["programme"] == "cervical_25_49" and r["dimension"] == dimension
        ]
        assert sum(r["eligible"] for r in rows) == total["eligible"]
        assert sum(r["covered"] for r in rows) == total["covered"]


def test_follow_up_list_statuses_order_and_mobile(result):
    rows = [r for r in result.tables["non_responders"].to_pylist() if r["programme"] == "cervical_25_49"]
    status = {r["patient_id"]: r["status"] for r in rows}
    assert status["nr"] == "non_responder"
    assert status["never"] == "never_screened"
    assert status["lapsed"] == "lapsed"
    assert status["declined"] == "declined"
    assert status["old_nr"] == "lapsed"
    assert "main000" not in status  # covered
    priorities = [r["priority"] for r in rows]
    assert priorities == sorted(priorities)
    by_id = {r["patient_id"]: r for r in rows}
    assert by_id["nr"]["usable_mobile"] is True
    assert by_id["never"]["usable_mobile"] is False and by_id["never"]["contact_status"] == "landline_only"
    assert by_id["lapsed"]["contact_status"] == "personal_070_or_pager"
    assert by_id["declined"]["contact_status"] == "malformed"
    # lapsed: last test 2021-06-01 + 36 months recall = 2024-06-01, overdue since
    assert by_id["lapsed"]["due_date"] == date(2024, 6, 1)
    assert by_id["lapsed"]["days_overdue"] == (AS_OF - date(2024, 6, 1)).days
    # never screened: due at the 25th birthday
    assert by_id["never"]["due_date"] == date(2020, 1, 1)


def test_results_pending_after_six_weeks(result):
    pending = {r["patient_id"]: r for r in result.tables["results_pending"].to_pylist()}
    assert set(pending) == {"pend"}
    assert pending["pend"]["days_since_sample"] == 43


def test_contact_summary_and_numbers_to_correct(result):
    to_fix = {
        (r["patient_id"], r["field"]): r["class"] for r in result.tables["contacts_to_correct"].to_pylist()
    }
    assert to_fix == {("lapsed", "mobile_phone"): "personal_070", ("declined", "mobile_phone"): "malformed"}
    row = next(
        r
        for r in result.tables["contacts"].to_pylist()
        if r["level"] == "practice" and r["cohort"] == "cervical_25_49 not covered"
    )
    assert row["patients"] == sum(
        row[s] for s in ("usable_mobile", "landline_only", "personal_070_or_pager", "malformed", "missing")
    )
    assert (row["landline_only"], row["personal_070_or_pager"], row["malformed"]) == (1, 1, 1)
