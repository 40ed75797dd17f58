"""Payment status by year: unpaid 2021-22 reviews, 2024-25 income protection, retired 2025-26, local schemes."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.engine.reference import Patient
from tests.helpers import as_event, write_inputs

TODAY = date(2026, 6, 1)


def _practice(tmp_path, spec):
    """spec: list of (events, registered) for one practice A00001."""
    patients = [
        Patient(
            f"p{i}",
            "A00001",
            reg or date(2000, 1, 1),
            pcn_code="U00001",
            events=tuple(as_event([c, date.fromisoformat(d)]) for c, d in events),
        )
        for i, (events, reg) in enumerate(spec)
    ]
    # A list of 100 people: the rest have no cancer.
    patients += [
        Patient(f"n{i}", "A00001", date(2000, 1, 1), pcn_code="U00001") for i in range(100 - len(spec))
    ]
    return write_inputs(tmp_path, patients)


def _rows(result):
    return {(r["level"], r["indicator"]): r for r in result.summary_rows()}


def test_2021_22_reviews_are_computed_but_not_paid(tmp_path):
    ppath, epath = _practice(tmp_path, [([["CAN_COD", "2021-01-10"], ["MDRV_COD", "2021-06-01"]], None)])
    rows = _rows(api.run(ppath, epath, year="2021-22", today=TODAY))
    can004 = rows[("practice", "CAN004")]
    assert (can004["achievement_pct"], can004["points"]) == (100.0, 6.0)
    assert (can004["points_paid"], can004["payment_gbp"], can004["payment_status"]) == (0.0, 0.0, "unpaid")
    assert (
        rows[("practice", "CAN001")]["points_paid"] == 5.0 and rows[("practice", "CAN001")]["payment_gbp"] > 0
    )


def test_2024_25_pays_the_points_achieved_in_2023_24(tmp_path):
    # Reviewed in time for 2023-24 (diagnosed 2022-09-01), missed for 2024-25 (diagnosed 2023-06-01).
    ppath, epath = _practice(
        tmp_path,
        [
            ([["CAN_COD", "2022-09-01"], ["MDRV_COD", "2023-05-01"]], None),
            ([["CAN_COD", "2023-06-01"]], None),
        ],
    )
    rows = _rows(api.run(ppath, epath, year="2024-25", today=TODAY))
    can004 = rows[("practice", "CAN004")]
    assert can004["achievement_pct"] == 0.0 and can004["points"] == 0.0
    assert can004["payment_status"] == "income_protected"
    assert can004["points_paid"] == 6.0  # 2023-24: 1 of 1 reviewed
    assert "6.00 points achieved in 2023-24" in can004["payment_note"]
    # The money uses 2024-25 values: 6 points x 220.62 x register 2 / (0.035 x 9964).
    assert can004["payment_gbp"] == pytest.approx(6 * 220.62 * 2 / (0.038 * 9964), abs=0.01)


def test_2025_26_is_computed_and_paid_nothing(tmp_path):
    ppath, epath = _practice(tmp_path, [([["CAN_COD", "2024-09-01"], ["MDRV_COD", "2025-05-01"]], None)])
    rows = _rows(api.run(ppath, epath, year="2025-26", today=TODAY))
    assert rows[("practice", "CAN004")]["points"] == 6.0
    for ind in ("CAN001", "CAN004", "CAN005"):
        assert rows[("practice", ind)]["payment_status"] == "retired"
        assert rows[("practice", ind)]["payment_gbp"] == 0.0


def test_local_scheme_sets_thresholds_and_pays_for_a_retired_year(tmp_path):
    ppath, epath = _practice(
        tmp_path,
        [
            ([["CAN_COD", "2024-09-01"], ["MDRV_COD", "2025-05-01"]], None),
            ([["CAN_COD", "2024-10-01"]], None),
        ],
    )
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(
        "scheme: North ICB cancer LES\nyears: [2025-26]\n"
        "indicators:\n  CAN004: {lower: 40, upper: 60}\n  CAN005: {pounds_per_patient: 12.5}\n"
    )
    rows = _rows(api.run(ppath, epath, year="2025-26", scheme=scheme, today=TODAY))
    can004 = rows[("practice", "CAN004")]
    assert can004["achievement_pct"] == 50.0 and can004["points"] == 3.0  # halfway between 40 and 60
    assert can004["payment_status"] == "local_scheme" and can004["payment_gbp"] > 0
    assert "North ICB cancer LES" in can004["payment_note"]
    assert rows[("practice", "CAN001")]["payment_status"] == "retired"


def test_setting_from_the_command_line_switches_to_calendar_months(tmp_path):
    # Diagnosed 2023-11-30; support on 2024-03-01 is a day late in calendar months, in time within 93 days
    # (the default since revision 2).
    ppath, epath = _practice(tmp_path, [([["CAN_COD", "2023-11-30"], ["CANPCSUPP_COD", "2024-03-01"]], None)])
    args = ["run", "--patients", str(ppath), "--events", str(epath), "--year", "2023-24"]
    assert (
        main([*args, "--out", str(tmp_path / "months"), "--setting", "CAN005.support_window=3 months"]) == 0
    )
    assert main([*args, "--out", str(tmp_path / "days")]) == 0
    months = (tmp_path / "months" / "outcomes.csv").read_text()
    days = (tmp_path / "days" / "outcomes.csv").read_text()
    assert "p0,CAN005,not_met,CAN005-R8,Denominator" in months
    assert "p0,CAN005,met,CAN005-R2,Numerator" in days


def test_in_year_run_says_so(tmp_path):
    ppath, epath = _practice(tmp_path, [([["CAN_COD", "2023-02-01"]], None)])
    result = api.run(ppath, epath, year="2023-24", as_of=date(2023, 10, 31), today=TODAY)
    assert result.period.in_year
    assert "in-year position at 2023-10-31" in _rows(result)[("practice", "CAN004")]["payment_note"]


def test_run_without_a_year_on_2_december_2026_runs_2026_27(tmp_path):
    """Today's year, in-year, as a good-practice year: retired nationally, £0, said plainly."""
    ppath, epath = _practice(
        tmp_path,
        [([["CAN_COD", "2026-05-01"], ["MDRV_COD", "2026-07-01"], ["CANPCSUPP_COD", "2026-06-01"]], None)],
    )
    result = api.run(ppath, epath, today=date(2026, 12, 2), out=tmp_path / "out")
    assert (result.period.year.id, result.period.ach) == ("2026-27", date(2026, 12, 2))
    rows = _rows(result)
    can004 = rows[("practice", "CAN004")]
    assert can004["numerator"] == 1 and can004["points"] == 6.0  # thresholds of the last national year
    assert can004["payment_status"] == "retired" and can004["payment_gbp"] == 0.0
    assert "retired nationally" in can004["payment_note"]
    run_json = (tmp_path / "out" / "run.json").read_text()
    assert '"year": "2026-27"' in run_json and "after the last year in the rule files" in run_json
    assert "after the last year in the rule files" in (tmp_path / "out" / "report.html").read_text()
