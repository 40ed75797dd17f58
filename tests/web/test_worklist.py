"""The worklist page: filter, sort, CSV and Excel downloads, letters.

Uses the worklist feature when the run has one; otherwise plugs a small stand-in into the run's feature
list (the run's `features=`), so the page is tested on a table of the same kind of columns.
"""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from qof_cancer import api
from qof_cancer.engine.context import Feature, RunContext
from qof_cancer.web import create_app
from qof_cancer.web.lists import excel_available
from tests.web.conftest import make_dashboard


def _stand_in(ctx: RunContext) -> dict[str, pa.Table]:
    sql = """
        SELECT CASE indicator WHEN 'CAN004' THEN 'care_review' ELSE 'support_contact' END AS list,
               practice_code, pcn_code, patient_id, indicator,
               CASE indicator WHEN 'CAN004' THEN 'invite to review' ELSE 'support contact' END AS action,
               due_date, CAST(datediff('day', ?, due_date) AS INTEGER) AS days_left
        FROM outcomes WHERE indicator IN ('CAN004', 'CAN005') AND outcome IN ('not_met', 'excluded_recent_diagnosis')
          AND due_date >= ?
    """
    cur = ctx.con.execute(sql, [ctx.period.ach, ctx.period.ach])
    return {
        "worklist": cur.fetch_arrow_table() if hasattr(cur, "fetch_arrow_table") else cur.to_arrow_table()
    }


@pytest.fixture(scope="module")
def client(tmp_path_factory, pcn_files):
    features = api.FEATURES
    if not any(f.name == "worklist" for f in features):
        features = (*features, Feature("worklist", _stand_in))
    dash = make_dashboard(tmp_path_factory.mktemp("wl"), *pcn_files, features=features)
    assert "worklist" in dash.result.tables
    yield TestClient(create_app(dash), base_url="http://127.0.0.1")
    dash.close()


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_filters_by_practice_indicator_and_due_within(client):
    everything = _csv(client.get("/worklist.csv").text)
    assert everything
    practice, indicator = everything[0]["practice_code"], everything[0]["indicator"]
    params = {"practice_code": practice, "indicator": indicator, "due_within": "60"}
    rows = _csv(client.get("/worklist.csv", params=params).text)
    want = [
        r
        for r in everything
        if r["practice_code"] == practice and r["indicator"] == indicator and int(r["days_left"]) <= 60
    ]
    assert sorted(r["patient_id"] for r in rows) == sorted(r["patient_id"] for r in want)
    body = client.get("/api/worklist", params=params).json()
    assert body["total"] == len(want)
    assert {r["practice_code"] for r in body["rows"]} <= {practice}


def test_sorted_by_due_soonest_by_default_and_on_request(client):
    rows = client.get("/api/worklist").json()["rows"]
    days = [r["days_left"] for r in rows]
    assert days == sorted(days)
    desc = client.get("/api/worklist", params={"sort": "days_left", "dir": "desc"}).json()["rows"]
    assert [r["days_left"] for r in desc] == sorted(days, reverse=True)[: len(desc)]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"due_within": "soon"}, "due_within 'soon'"),
        ({"sort": "nonsense"}, "sort 'nonsense'"),
        ({"dir": "up"}, "dir 'up'"),
    ],
)
def test_bad_filters_are_400s(client, params, words):
    response = client.get("/api/worklist", params=params)
    assert response.status_code == 400 and words in response.json()["error"]["message"]


def test_excel_download(client):
    response = client.get("/worklist.xlsx")
    if not excel_available():
        assert response.status_code == 404 and "openpyxl" in response.text
        return
    from openpyxl import load_workbook

    from qof_cancer.model import load_ruleset
    from qof_cancer.outputs.worklist_excel import worklist_sheets
    from qof_cancer.worklist.lists import worklist_lists

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About"  # the same workbook `run` writes
    sheets = worklist_sheets(worklist_lists(load_ruleset()))
    lists = [title for title, table, _, _ in sheets if table == "worklist"]
    rows = sum(book[t].max_row - 1 for t in lists if t in book.sheetnames)
    assert rows == len(_csv(client.get("/worklist.csv").text))


def test_letters_one_per_message_due_now_with_the_practice_details_and_a_uk_date(client):
    rows = [r for r in _csv(client.get("/worklist.csv").text) if r["message"] and r["send_now"] == "True"]
    assert rows
    html = client.get("/worklist/letters").text
    assert html.count('class="dash-letter"') == len(rows)
    assert "page-break-after" not in html  # print rules live in the stylesheet, not the page
    assert "Telephone: 01632 960001" in html and "Riverside Surgery" in html
    assert "\n15 November 2025\n" in html and "2025-11-15" not in html.split('class="dash-letter"', 1)[1]
    assert "the surgery" not in html and "Practice Y9000" not in html


def test_no_letters_for_a_practice_without_details(tmp_path, pcn_files):
    dash = make_dashboard(tmp_path, *pcn_files, practice_details=False)
    try:
        page = TestClient(create_app(dash), base_url="http://127.0.0.1").get("/api/worklist/letters").json()
    finally:
        dash.close()
    assert page["letters"] == []
    # Every practice with someone on the worklist is named (which ones depends on the synthetic data).
    assert page["problems"][0].startswith("no texts or letters written for Y9000")
    assert "no practice name and phone number" in page["problems"][0]
