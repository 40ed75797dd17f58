"""The report's data-quality section: counts per practice and check, never a patient."""

from __future__ import annotations

from datetime import date

from qof_cancer import api
from qof_cancer.engine.reference import Patient
from qof_cancer.outputs.report import render_report
from tests.helpers import as_event, write_inputs


def test_report_counts_data_quality_findings_per_practice(tmp_path):
    patients = [
        # The same tumour coded twice: the second record moves CAN_DAT into the last 12 months.
        Patient(
            "dup1",
            "A00001",
            date(2000, 1, 1),
            pcn_code="U1",
            events=(as_event(["CAN_COD", "2022-06-01"]), as_event(["CAN_COD", "2023-05-01"])),
        ),
        # Cancer coded only before 2003.
        Patient(
            "old1", "B00002", date(2000, 1, 1), pcn_code="U1", events=(as_event(["CAN_COD", "1999-06-01"]),)
        ),
    ]
    ppath, epath = write_inputs(tmp_path, patients)
    result = api.run(ppath, epath, year="2023-24", today=date(2026, 6, 1))
    checks = {r["check"]: r for r in result.tables["data_quality"].to_pylist()}
    assert {"duplicate_diagnosis", "diagnosis_only_before_2003"} <= set(checks)
    html = render_report(result)
    assert 'id="data-quality"' in html
    assert "duplicate_diagnosis" in html and "diagnosis_only_before_2003" in html
    assert "dup1" not in html and "old1" not in html


def test_report_shows_the_forecast_scenarios_for_an_in_year_run(tmp_path):
    patients = [
        # Diagnosed in the year, no review yet: on the worklist, so the "done" scenario differs.
        Patient(
            f"w{i}", "A00001", date(2000, 1, 1), pcn_code="U1", events=(as_event(["CAN_COD", "2023-06-01"]),)
        )
        for i in range(3)
    ] + [
        Patient(
            "m1",
            "A00001",
            date(2000, 1, 1),
            pcn_code="U1",
            events=(as_event(["CAN_COD", "2022-06-01"]), as_event(["MDRV_COD", "2023-05-01"])),
        ),
    ]
    ppath, epath = write_inputs(tmp_path, patients)
    result = api.run(ppath, epath, year="2023-24", as_of=date(2023, 10, 31), today=date(2026, 6, 1))
    html = render_report(result)
    assert 'id="forecast"' in html
    assert "Year end if the worklist is done" in html
    done = [
        r
        for r in result.tables["forecast"].to_pylist()
        if r["scenario"] == "year_end_worklist_done"
        and r["indicator"] == "CAN004"
        and r["level"] == "practice"
    ]
    assert done[0]["numerator"] == 4 and f"{done[0]['numerator']}/{done[0]['denominator']}" in html
    assert "w0" not in html
