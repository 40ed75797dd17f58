"""Spec cases for the worklist: who is on which list, with which due date, at the date boundaries.

QOF year 2023-24 (PPSD 2023-04-01, PPED 2024-03-31) unless a case says otherwise. Each case is one
patient; `expect` lists every worklist row of that patient as (list, indicator, due date, days left).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.worklist.conftest import patient, rows

D = date.fromisoformat
# The calendar-month reading of CAN005's "3 months" (a setting; the default is 93 days).
MONTHS = {"CAN005": {"support_window": "3 months"}}
CASES = [
    # title, as_of, today, events, expected rows[, settings]
    (
        "CAN005 93 days: dx 2023-08-31 + 93 days = 2023-12-02, due today",
        "2023-12-02",
        None,
        [["CAN_COD", "2023-08-31"]],
        [("support_contact", "CAN005", "2023-12-02", 0), ("care_review", "CAN004", "2024-03-31", 120)],
    ),
    (
        "CAN005 93 days: missed the day after (day 94)",
        "2023-12-03",
        None,
        [["CAN_COD", "2023-08-31"]],
        [("missed", "CAN005", "2023-12-02", -1), ("care_review", "CAN004", "2024-03-31", 119)],
    ),
    (
        "Reviewed in the previous year: counted then (R1c), on no list",
        "2023-05-01",
        None,
        [["CAN_COD", "2022-06-01"], ["MDRV_COD", "2022-09-01"]],
        [],
    ),
    (
        "Support given in the previous year: no support contact now (R1c), the review still due",
        "2023-05-01",
        None,
        [["CAN_COD", "2023-01-10"], ["CANPCSUPP_COD", "2023-02-01"]],
        [("care_review", "CAN004", "2024-01-10", 254)],
    ),
    (
        "CAN005 deadline today: support still counts (dx 2023-08-31 + 3 months = 2023-11-30) (calendar months)",
        "2023-11-30",
        None,
        [["CAN_COD", "2023-08-31"]],
        [("support_contact", "CAN005", "2023-11-30", 0), ("care_review", "CAN004", "2024-03-31", 122)],
        MONTHS,
    ),
    (
        "CAN005 deadline yesterday: missed (calendar months)",
        "2023-12-01",
        None,
        [["CAN_COD", "2023-08-30"]],
        [("missed", "CAN005", "2023-11-30", -1), ("care_review", "CAN004", "2024-03-31", 121)],
        MONTHS,
    ),
    (
        "CAN005 month end into a leap February: 2023-11-30 + 3 months = 2024-02-29, due today (calendar months)",
        "2024-02-29",
        None,
        [["CAN_COD", "2023-11-30"]],
        [("support_contact", "CAN005", "2024-02-29", 0), ("care_review", "CAN004", "2024-03-31", 31)],
        MONTHS,
    ),
    (
        "CAN005 month end into a leap February: missed the day after (calendar months)",
        "2024-03-01",
        None,
        [["CAN_COD", "2023-11-30"]],
        [("missed", "CAN005", "2024-02-29", -1), ("care_review", "CAN004", "2024-03-31", 30)],
        MONTHS,
    ),
    (
        "CAN005 month end: 2023-05-31 + 3 months = 2023-08-31, due today (calendar months)",
        "2023-08-31",
        None,
        [["CAN_COD", "2023-05-31"]],
        [("support_contact", "CAN005", "2023-08-31", 0), ("care_review", "CAN004", "2024-03-31", 213)],
        MONTHS,
    ),
    (
        "CAN004 deadline today (dx 2022-12-15 + 12 months); CAN005 out of scope",
        "2023-12-15",
        None,
        [["CAN_COD", "2022-12-15"]],
        [("care_review", "CAN004", "2023-12-15", 0)],
    ),
    (
        "CAN004 deadline yesterday: missed",
        "2023-12-15",
        None,
        [["CAN_COD", "2022-12-14"]],
        [("missed", "CAN004", "2023-12-14", -1)],
    ),
    (
        "CAN004 month end: 2023-02-28 + 12 months = 2024-02-28, not the 29th",
        "2024-02-28",
        None,
        [["CAN_COD", "2023-02-28"]],
        [("care_review", "CAN004", "2024-02-28", 0), ("missed", "CAN005", "2023-06-01", -272)],
    ),
    (
        "CAN004 month end: missed on 2024-02-29",
        "2024-02-29",
        None,
        [["CAN_COD", "2023-02-28"]],
        [("missed", "CAN004", "2024-02-28", -1), ("missed", "CAN005", "2023-06-01", -273)],
    ),
    (
        "CAN004 window past the year end: due at PPED (excluded this year if not done)",
        "2023-12-01",
        None,
        [["CAN_COD", "2023-06-10"], ["CANPCSUPP_COD", "2023-07-01"]],
        [("care_review", "CAN004", "2024-03-31", 121)],
    ),
    (
        "CAN005 window past the year end: due at PPED, not dx + 3 months",
        "2024-03-01",
        None,
        [["CAN_COD", "2024-02-15"]],
        [("support_contact", "CAN005", "2024-03-31", 30), ("care_review", "CAN004", "2024-03-31", 30)],
    ),
    (
        "Met already: on no list",
        "2023-12-01",
        None,
        [["CAN_COD", "2023-02-01"], ["MDRV_COD", "2023-10-01"], ["CANPCSUPP_COD", "2023-03-01"]],
        [],
    ),
    (
        "Diagnosed before the look-back: on no list",
        "2023-12-01",
        None,
        [["CAN_COD", "2021-06-01"]],
        [],
    ),
    (
        "Informed dissent this year: still winnable by a review; CAN005 PCA'd, so not missed",
        "2023-12-01",
        None,
        [["CAN_COD", "2023-06-10"], ["CANPCADEC_COD", "2023-09-01"]],
        [("care_review", "CAN004", "2024-03-31", 121)],
    ),
    (
        "Informed dissent in the previous year does not count this year: one instruction, re-record it",
        "2023-12-01",
        None,
        [["CAN_COD", "2022-09-01"], ["CANPCADEC_COD", "2023-03-20"]],
        [("pca_housekeeping", "CAN004", "2024-03-31", 121)],
    ),
    (
        "A closed year: a year-end run after PPED acts on nothing; not met is missed",
        None,
        "2024-06-01",
        [["CAN_COD", "2023-06-10"]],
        [("missed", "CAN005", "2023-09-11", -202)],
    ),
    (
        "A year-end run on PPED itself: support for a recent diagnosis is due today",
        None,
        "2024-03-31",
        [["CAN_COD", "2024-01-15"]],
        [("support_contact", "CAN005", "2024-03-31", 0), ("care_review", "CAN004", "2024-03-31", 0)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_membership_and_due_dates(run_worklist, case):
    title, as_of, today, events, expect, *settings = case
    result = run_worklist(
        [patient(events)],
        as_of=D(as_of) if as_of else None,
        today=D(today) if today else None,
        settings=settings[0] if settings else None,
    )
    got = sorted((r["list"], r["indicator"], r["due_date"], r["days_left"]) for r in rows(result))
    assert got == sorted((lst, ind, D(due), days) for lst, ind, due, days in expect)


def test_recent_registration_after_the_window_is_on_no_list(run_worklist):
    result = run_worklist([patient([["CAN_COD", "2022-09-01"]], registered=D("2024-01-15"))], D("2024-02-01"))
    assert rows(result) == []


def test_review_steps_follow_the_invitations(run_worklist):
    none = patient([["CAN_COD", "2023-01-10"]], patient_id="none")
    one = patient([["CAN_COD", "2023-01-10"], ["CANINVITE_COD", "2023-11-20"]], patient_id="one")
    close = patient(
        [["CAN_COD", "2023-01-10"], ["CANINVITE_COD", "2023-11-15"], ["CANINVITE_COD", "2023-11-20"]],
        patient_id="close",
    )
    two = patient(
        [["CAN_COD", "2023-01-10"], ["CANINVITE_COD", "2023-11-01"], ["CANINVITE_COD", "2023-11-08"]],
        patient_id="two",
    )
    result = run_worklist([none, one, close, two], D("2023-11-22"))
    review = {r["patient_id"]: r for r in rows(result, "care_review")}
    assert review["none"]["action"] == "questionnaire + invitation"
    assert review["none"]["record_cluster"] == "CANINVITE_COD"
    assert review["none"]["message"] == "invitation" and review["none"]["send_now"]
    # Due 2024-01-10: the first invitation is planned eight weeks before, which is already past.
    assert review["none"]["step_by"] == D("2023-11-22")
    assert review["one"]["action"] == "second invitation"
    assert review["one"]["step_from"] == D("2023-11-27")  # at least 7 days after the first
    assert review["one"]["message"] == "reminder"
    assert review["one"]["send_now"] is False  # not yet: the gap has not passed
    assert review["close"]["action"] == "second invitation"
    assert review["close"]["step_from"] == D("2023-11-22")
    assert review["two"]["action"] == "review"
    assert review["two"]["record_cluster"] == "MDRV_COD"
    assert review["two"]["outcome_if_nothing_recorded"] == "pca_no_response"
    assert review["two"]["invitations_this_year"] == 2
    assert all(r["due_date"] == D("2024-01-10") and r["days_left"] == 49 for r in review.values())


def test_pca_this_year_is_shown_and_gets_no_message(run_worklist):
    result = run_worklist(
        [patient([["CAN_COD", "2023-06-10"], ["CANPCAPU_COD", "2023-09-01"]])], D("2023-12-01")
    )
    (row,) = rows(result, "care_review")
    assert row["pca_this_year"] == "unsuitable 2023-09-01"
    assert row["action"] == "review" and row["message"] is None and not row["send_now"]
    assert row["outcome_if_nothing_recorded"] == "pca_unsuitable"


def test_support_contact_row_carries_the_code_to_record(run_worklist):
    result = run_worklist([patient([["CAN_COD", "2023-10-01"]])], D("2023-12-01"))
    (row,) = rows(result, "support_contact")
    assert row["action"] == "support contact"
    assert (row["record_cluster"], row["record_code"]) == ("CANPCSUPP_COD", "LOCAL-CANPCSUPP-01")
    assert "local example code" in row["record_code_note"]
    assert row["step_by"] == D("2023-12-01")  # as soon as possible
    assert row["window_end"] == D("2024-01-02") and row["diagnosis_date"] == D("2023-10-01")  # 93 days
    assert row["months_since_diagnosis"] == 2
    assert row["outcome_if_nothing_recorded"] == "not_met" and row["outcome_if_done"] == "met"


def test_lists_are_ordered_by_list_then_deadline(run_worklist):
    patients = [
        patient([["CAN_COD", day]]) for day in ("2023-10-20", "2023-09-15", "2023-11-01", "2022-12-20")
    ]
    result = run_worklist(patients, D("2023-12-01"))
    got = [(r["list"], r["due_date"]) for r in rows(result)]
    order = ["support_contact", "care_review", "missed", "pca_housekeeping"]
    assert got == sorted(got, key=lambda x: (order.index(x[0]), x[1]))
    assert [d for lst, d in got if lst == "support_contact"] == [
        D("2023-12-17"),
        D("2024-01-21"),
        D("2024-02-02"),
    ]


def test_each_patient_has_one_instruction_per_indicator(run_worklist):
    """A missed patient with an invitation from last year is missed, not also told to invite again; one
    with a lapsed PCA is told to re-record it (and why), not also that nothing can be done."""
    invited = patient([["CAN_COD", "2022-09-01"], ["CANINVITE_COD", "2023-02-01"]], patient_id="invited")
    lapsed = patient([["CAN_COD", "2022-09-01"], ["CANPCAPU_COD", "2023-03-01"]], patient_id="lapsed")
    result = run_worklist([invited, lapsed], D("2023-12-01"))
    got = rows(result)
    keys = [(r["patient_id"], r["indicator"]) for r in got]
    assert len(keys) == len(set(keys))
    by = {(r["patient_id"], r["indicator"]): r for r in got}
    assert by[("invited", "CAN004")]["list"] == "missed"
    lapsed_row = by[("lapsed", "CAN004")]
    assert (
        lapsed_row["list"] == "pca_housekeeping"
        and lapsed_row["action"] == "re-record unsuitable if it still applies"
    )
    assert "if it no longer applies, the patient counts as not met (the window" in lapsed_row["note"]
