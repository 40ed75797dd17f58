"""The forecast: the arithmetic of thresholds and money, and the three scenarios on a small practice."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.model import load_ruleset
from qof_cancer.worklist.forecast import patients_to_reach, pounds_per_extra_patient, with_converted
from tests.worklist.conftest import patient, rows

RULESET = load_ruleset()
D = date.fromisoformat


@pytest.mark.parametrize(
    ("threshold", "numerator", "denominator", "needed"),
    [
        (50, 10, 20, 0),  # exactly on the threshold counts as reaching it
        (90, 17, 20, 1),  # 85% -> 90% needs one more
        (90, 9, 10, 0),
        (70, 0, 3, 3),  # 2.1 patients round up to 3
        (70, 2, 3, 1),  # 66.7% -> 100%
        (90, 0, 1, 1),
        (67.5, 26, 40, 1),  # 65% -> 67.5% needs 27 of 40
        (70, 5, 5, 0),
        (70, 0, 0, None),  # no denominator: nothing to reach
        (None, 1, 2, None),
    ],
)
def test_patients_to_reach(threshold, numerator, denominator, needed):
    assert patients_to_reach(threshold, numerator, denominator) == needed


def test_pounds_per_extra_patient_in_a_paid_year():
    year = RULESET.years["2023-24"]
    # CAN004: 6 points over 40 percentage points; one patient of 20 is 5 points of achievement = 0.75 pts.
    expected = 0.75 * 213.43 * 100 / (0.034 * 9639)
    assert pounds_per_extra_patient(year, "CAN004", 100, 3000, 20) == round(expected, 2)
    # CAN005: 2 points over 20 percentage points; one of 10 is 10 points = 1 pt.
    assert pounds_per_extra_patient(year, "CAN005", 100, 3000, 10) == round(213.43 * 100 / (0.034 * 9639), 2)
    # One patient of one is worth at most the indicator's points.
    assert pounds_per_extra_patient(year, "CAN004", 100, 3000, 1) == round(
        6 * 213.43 * 100 / (0.034 * 9639), 2
    )
    assert pounds_per_extra_patient(year, "CAN004", 100, 3000, 0) is None


@pytest.mark.parametrize(
    ("year", "indicator"), [("2021-22", "CAN004"), ("2024-25", "CAN005"), ("2025-26", "CAN004")]
)
def test_extra_patients_earn_nothing_when_the_year_does_not_pay_on_achievement(year, indicator):
    assert pounds_per_extra_patient(RULESET.years[year], indicator, 100, 3000, 20) == 0.0


def test_with_converted_moves_not_met_to_met():
    counts = [("A", "CAN005", "met", 1), ("A", "CAN005", "not_met", 3), ("A", "CAN005", "pca_dissent", 2)]
    got = {(p, i, o): n for p, i, o, n in with_converted(counts, {("A", "CAN005"): 2})}
    assert got == {
        ("A", "CAN005", "met"): 3,
        ("A", "CAN005", "not_met"): 1,
        ("A", "CAN005", "pca_dissent"): 2,
    }


def _small_practice():
    return [
        patient([["CAN_COD", "2023-05-01"], ["CANPCSUPP_COD", "2023-06-01"]], patient_id="met"),
        patient([["CAN_COD", "2023-05-01"]], patient_id="missed"),
        patient([["CAN_COD", "2023-10-15"]], patient_id="due-jan"),
        patient([["CAN_COD", "2023-11-20"]], patient_id="due-feb"),
    ]


def _forecast(result, indicator, level="practice"):
    return {
        r["scenario"]: r
        for r in result.tables["forecast"].to_pylist()
        if r["indicator"] == indicator and r["level"] == level
    }


def test_forecast_scenarios_for_a_small_practice(run_worklist):
    result = run_worklist(_small_practice(), D("2023-12-01"))
    f = _forecast(result, "CAN005")
    assert set(f) == {"now", "year_end_as_is", "year_end_worklist_done"}
    assert (f["now"]["numerator"], f["now"]["denominator"]) == (1, 4)
    assert (f["year_end_as_is"]["numerator"], f["year_end_as_is"]["denominator"]) == (1, 4)
    assert (f["year_end_worklist_done"]["numerator"], f["year_end_worklist_done"]["denominator"]) == (3, 4)
    assert f["year_end_as_is"]["achievement_pct"] == 25.0 and f["year_end_as_is"]["points"] == 0.0
    assert f["year_end_worklist_done"]["achievement_pct"] == 75.0
    assert f["year_end_worklist_done"]["points"] == 0.5  # 2 points x (75 - 70) / (90 - 70)
    # 4 on the register and a list of 4: £ = points x £213.43 x 4 / (3.4% x 9,639)
    assert f["year_end_worklist_done"]["payment_gbp"] == round(0.5 * 213.43 * 4 / (0.034 * 9639), 2)
    assert (f["year_end_as_is"]["patients_to_lower"], f["year_end_as_is"]["patients_to_upper"]) == (2, 3)
    assert (
        f["year_end_worklist_done"]["patients_to_lower"],
        f["year_end_worklist_done"]["patients_to_upper"],
    ) == (0, 1)
    assert f["year_end_as_is"]["worklist_patients"] == 2 and f["year_end_as_is"]["missed_patients"] == 1
    assert f["year_end_as_is"]["achievement_date"] == D("2024-03-31") and f["now"]["achievement_date"] == D(
        "2023-12-01"
    )
    assert f["year_end_worklist_done"]["note"].startswith("year end if the worklist is completed: paid")
    # One patient of 4 is 25 points of achievement, more than the 20 between the thresholds: capped at 2.
    assert f["year_end_as_is"]["pounds_per_extra_patient"] == round(2 * 213.43 * 4 / (0.034 * 9639), 2)
    pcn = _forecast(result, "CAN005", level="pcn")
    assert pcn["year_end_worklist_done"]["worklist_patients"] == 2
    assert pcn["year_end_worklist_done"]["patients_to_upper"] is None
    # The worklist's money per patient shares out what completing it is worth.
    support = rows(result, "support_contact")
    done, as_is = f["year_end_worklist_done"]["payment_gbp"], f["year_end_as_is"]["payment_gbp"]
    assert {r["value_gbp"] for r in support} == {round((done - as_is) / 2, 2)}
    (missed,) = rows(result, "missed")
    assert missed["value_gbp"] == 0.0  # 2 of 4 = 50%: still under the lower threshold


def test_every_can004_patient_is_excluded_now_and_met_if_reviewed(run_worklist):
    result = run_worklist(_small_practice(), D("2023-12-01"))
    f = _forecast(result, "CAN004")
    assert f["year_end_as_is"]["denominator"] == 0 and f["year_end_as_is"]["achievement_pct"] is None
    assert (f["year_end_worklist_done"]["numerator"], f["year_end_worklist_done"]["denominator"]) == (4, 4)
    assert f["year_end_worklist_done"]["points"] == 6.0
    assert f["year_end_worklist_done"]["pounds_per_extra_patient"] == 0.0  # at the upper threshold already
    review = rows(result, "care_review")
    assert len(review) == 4
    assert all(r["outcome_if_nothing_recorded"] == "excluded_recent_diagnosis" for r in review)
    assert sum(r["value_gbp"] for r in review) == pytest.approx(
        f["year_end_worklist_done"]["payment_gbp"], abs=0.02
    )


def test_income_protection_is_plain_in_the_forecast(run_worklist):
    patients = [
        patient([["CAN_COD", "2024-06-01"]]),
        patient([["CAN_COD", "2023-06-01"], ["MDRV_COD", "2023-09-01"]]),
    ]
    result = run_worklist(patients, D("2024-08-01"), year="2024-25")
    f = _forecast(result, "CAN005")
    for name in ("now", "year_end_as_is", "year_end_worklist_done"):
        assert f[name]["payment_status"] == "income_protected"
        assert "income-protected: paid at the points achieved in 2023-24" in f[name]["note"]
        assert "more patients this year do not change it" in f[name]["note"]
        assert f[name]["pounds_per_extra_patient"] == 0.0
    assert f["year_end_as_is"]["payment_gbp"] == f["year_end_worklist_done"]["payment_gbp"]
    assert {r["value_gbp"] for r in rows(result, "support_contact")} == {0.0}


def test_a_retired_year_says_so(run_worklist):
    result = run_worklist([patient([["CAN_COD", "2025-06-01"]])], D("2025-08-01"), year="2025-26")
    f = _forecast(result, "CAN004")
    assert f["year_end_worklist_done"]["payment_status"] == "retired"
    assert "retired nationally" in f["year_end_worklist_done"]["note"]
    assert "no national payment" in f["year_end_worklist_done"]["note"]
    assert f["year_end_worklist_done"]["payment_gbp"] == 0.0
    assert len(rows(result, "care_review")) == 1  # good practice still: the list is there


def test_a_closed_year_has_no_worklist_scenario(run_worklist):
    result = run_worklist(_small_practice(), None, today=D("2024-06-01"))
    assert set(_forecast(result, "CAN005")) == {"now", "year_end_as_is"}
    assert {r["list"] for r in rows(result)} <= {"missed", "pca_housekeeping"}


def test_pca_monitoring_compares_with_last_year(run_worklist):
    patients = [
        # 2022-23: one dissent among two in CAN004's denominator + PCAs
        patient([["CAN_COD", "2021-06-01"], ["CANPCADEC_COD", "2022-06-01"]]),
        patient([["CAN_COD", "2021-07-01"], ["MDRV_COD", "2021-12-01"]]),
        # 2023-24 so far: two unsuitable of four
        patient([["CAN_COD", "2022-06-01"], ["CANPCAPU_COD", "2023-06-01"]]),
        patient([["CAN_COD", "2022-07-01"], ["CANPCAPU_COD", "2023-07-01"]]),
        patient([["CAN_COD", "2022-08-01"], ["MDRV_COD", "2023-05-01"]]),
        patient([["CAN_COD", "2022-09-01"], ["MDRV_COD", "2023-06-01"]]),
    ]
    result = run_worklist(patients, D("2023-12-01"))
    got = {(r["indicator"], r["reason"]): r for r in result.tables["pca_monitoring"].to_pylist()}
    unsuitable = got[("CAN004", "pca_unsuitable")]
    assert (unsuitable["patients"], unsuitable["rate_pct"]) == (2, 50.0)
    assert (unsuitable["previous_year"], unsuitable["previous_patients"]) == ("2022-23", 0)
    assert unsuitable["change_pct_points"] == 50.0 and "worth a look" in unsuitable["note"]
    dissent = got[("CAN004", "pca_dissent")]
    assert dissent["patients"] == 0 and dissent["previous_rate_pct"] is not None
    assert dissent["previous_patients"] == 1
    assert got[("CAN004", "all_pcas")]["patients"] == 2
    assert "this year so far" in unsuitable["note"]
