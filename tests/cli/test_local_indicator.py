"""A local scheme adds an indicator of its own, with no change to the code: the bundled example scheme's
LCAN006 ("Cancer Care Review within 6 months of diagnosis") is found, through `qof-cancer run --scheme`,
in outcomes.csv, summary.csv, worklist.csv, worklist.xlsx, report.html and the dashboard's pages; and a
patient on both review lists gets one invitation, not two."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.cli.demo import write_demo_practice_details
from qof_cancer.model import load_ruleset
from qof_cancer.outputs.messages import write_messages
from qof_cancer.rules.source import _HERE as RULES
from qof_cancer.web import Dashboard, RunInputs
from qof_cancer.web.app import create_app
from qof_cancer.worklist.messages import load_messages
from tests.helpers import write_inputs
from tests.worklist.conftest import patient

SCHEME = RULES / "schemes" / "example-icb-local-review.yaml"
YEAR, ACH = "2026-27", date(2026, 11, 15)  # PPSD 2026-04-01, PPED 2027-03-31
LOCAL = "LCAN006"
SHEET = "LCAN006 6-month review"


def _patients() -> list:
    return [
        # Diagnosed 1 August 2026: the 6-month window runs to 1 February 2027, so the review is due
        # under LCAN006 first (and under CAN004 by the year end).
        patient([["CAN_COD", "2026-08-01"]], practice="Y90001", patient_id="due-in-6"),
        # Reviewed inside six months: met for both.
        patient(
            [["CAN_COD", "2026-07-01"], ["MDRV_COD", "2026-10-01"]], practice="Y90001", patient_id="reviewed"
        ),
        # Diagnosed 2 April 2026, never reviewed: LCAN006's window closed on 2 October (missed), while
        # CAN004's runs to April 2027.
        patient([["CAN_COD", "2026-04-02"]], practice="Y90002", patient_id="window-closed"),
    ]


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("local")
    ppath, epath = write_inputs(folder / "in", _patients())
    out = folder / "out"
    code = main(
        [
            "run",
            *("--patients", str(ppath), "--events", str(epath)),
            *("--year", YEAR, "--as-of", ACH.isoformat()),
            *("--scheme", str(SCHEME), "--out", str(out)),
        ]
    )
    assert code == 0
    return ppath, epath, out


def test_the_scheme_adds_the_indicator_after_the_national_ones():
    ruleset = load_ruleset(scheme=SCHEME, today=ACH)
    assert [i.id for i in ruleset.indicators] == ["CAN001", "CAN004", "CAN005", LOCAL]
    local = ruleset.indicator(LOCAL)
    assert local.scheme and "not a real scheme" in local.scheme
    assert local.title.startswith("Local:")
    assert ruleset.year(YEAR).indicators[LOCAL].status == "local_scheme"
    # A year the scheme does not cover still computes it, unpaid.
    assert ruleset.year("2023-24").indicators[LOCAL].status == "unpaid"


def test_outcomes_and_summary_have_the_local_indicator(run_folder):
    _, _, out = run_folder
    outcomes = {(r["patient_id"], r["indicator"]): r for r in _read_csv(out / "outcomes.csv")}
    assert outcomes[("reviewed", LOCAL)]["outcome"] == "met"
    assert outcomes[("reviewed", LOCAL)]["rule"] == "LCAN006-R2"
    assert outcomes[("window-closed", LOCAL)]["outcome"] == "not_met"
    assert outcomes[("window-closed", "CAN004")]["outcome"] != "not_met"  # 12 months: still open
    assert outcomes[("due-in-6", LOCAL)]["due_date"] == "2027-02-01"
    summary = [r for r in _read_csv(out / "summary.csv") if r["indicator"] == LOCAL]
    assert {r["level"] for r in summary} == {"practice", "pcn"}
    y1 = next(r for r in summary if r["practice_code"] == "Y90001")
    assert (y1["numerator"], y1["payment_status"], y1["lower_threshold"]) == ("1", "local_scheme", "40.0")


def test_the_worklist_csv_and_workbook_have_its_list(run_folder):
    _, _, out = run_folder
    worklist = _read_csv(out / "worklist.csv")
    local = [r for r in worklist if r["indicator"] == LOCAL]
    by_patient = {r["patient_id"]: r for r in local}
    assert by_patient["due-in-6"]["list"] == "review_6_months"
    assert by_patient["due-in-6"]["action"] == "questionnaire + invitation"
    assert by_patient["due-in-6"]["due_date"] == "2027-02-01"
    assert by_patient["window-closed"]["list"] == "missed"
    assert "reviewed" not in by_patient
    # The national list still holds the same patient, by its own deadline.
    national = next(r for r in worklist if r["indicator"] == "CAN004" and r["patient_id"] == "due-in-6")
    assert (national["list"], national["due_date"]) == ("care_review", "2027-03-31")
    book = load_workbook(out / "worklist.xlsx")
    assert book.sheetnames.index(SHEET) == book.sheetnames.index("CAN004 review") + 1
    sheet = book[SHEET]
    header = [c.value for c in sheet[1]]
    ids = [row[header.index("patient_id")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == ["due-in-6"]
    about = " ".join(str(c) for row in book["About"].iter_rows(values_only=True) for c in row if c)
    assert f"{SHEET} Local scheme LCAN006" in about


def test_the_report_shows_the_local_indicator(run_folder):
    _, _, out = run_folder
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Local: Cancer Care Review within 6 months of diagnosis" in html
    assert f'id="bar-Y90001-{LOCAL}"' in html or f"bar-Y90001-{LOCAL}" in html
    assert "paid under the local scheme" in html


@pytest.fixture(scope="module")
def client(run_folder, tmp_path_factory):
    ppath, epath, _ = run_folder
    folder = tmp_path_factory.mktemp("local-dash")
    details = write_demo_practice_details(folder / "practice-details.csv", ["Y90001", "Y90002"])
    inputs = RunInputs(
        ppath, epath, year=YEAR, as_of=ACH, today=ACH, scheme=SCHEME, practice_details=details, out=folder
    )
    dash = Dashboard(inputs, folder / "dashboard.duckdb")
    dash.run()
    yield TestClient(create_app(dash), base_url="http://127.0.0.1")
    dash.close()


def test_the_dashboard_shows_the_indicator_its_list_and_its_words(client):
    overview = client.get("/").text
    assert LOCAL in overview and "Local: Cancer Care Review within 6 months" in overview
    page = client.get(f"/indicator/{LOCAL}").text
    assert "LCAN006-R2" in page and "Diagnosed 18 months or more before the end of the year" in page
    worklist = client.get("/worklist").text
    assert "Cancer Care Review within 6 months (local)" in worklist
    assert "Local scheme (LCAN006): invite the patient to a Cancer Care Review within 6 months" in worklist
    patient_page = client.get("/patient/due-in-6").text
    assert f"{LOCAL}: Cancer Care Review within 6 months (local)" in patient_page
    assert (
        "A MDRV_COD record (Cancer Care Review) dated on or before 2027-02-01 would make this met"
        in patient_page
    )
    listed = client.get("/api/worklist", params={"list": "review_6_months"}).json()
    todo = next(s for s in listed["sections"] if s["key"] == "todo")
    assert [r["patient_id"] for r in todo["rows"]] == ["due-in-6"]


def test_the_dashboard_sends_one_letter_for_one_review(client):
    letters = client.get("/api/worklist/letters").json()["letters"]
    mine = [item for item in letters if item["patient_id"] == "due-in-6"]
    assert len(mine) == 1  # the LCAN006 step is due now; the CAN004 one is not yet
    assert "Invitation to a Cancer Care Review" in mine[0]["letter"]
    assert "ideally before 1 February 2027" in mine[0]["letter"]


def test_a_patient_on_both_review_lists_gets_one_message(tmp_path):
    # Late in the year both invitations are due at once: one text, asking for the earlier date.
    ach = date(2027, 2, 1)
    both = patient([["CAN_COD", "2026-09-01"]], practice="Y90001", patient_id="both")
    ppath, epath = write_inputs(tmp_path / "in", [both])
    with ppath.open(newline="") as fh:
        data = list(csv.reader(fh))
    data[0] += ["nhs_number", "mobile_phone"]
    data[1] += ["9990000018", "07700 900123"]
    with ppath.open("w", newline="") as fh:
        csv.writer(fh).writerows(data)
    result = api.run(ppath, epath, year=YEAR, as_of=ach, today=ach, scheme=SCHEME)
    ready = [r for r in result.tables["worklist"].to_pylist() if r["send_now"]]
    assert sorted(r["indicator"] for r in ready) == ["CAN004", LOCAL]
    details = write_demo_practice_details(tmp_path / "details.csv", ["Y90001"])
    files = write_messages(
        result.tables["worklist"], tmp_path / "out", load_messages(practice_details=details), ach, ach
    )
    texts = _read_csv(next(p for p in files.written if p.name.endswith("-sms.csv")))
    assert len(texts) == 1
    assert "ideally before 1 March 2027" in texts[0]["message"]  # LCAN006's deadline, the earlier
    assert "cancer" not in texts[0]["message"].lower()
