"""Long pages page and sort: indicators (not met first), data quality (outcome-changing findings first,
as in data_quality.csv), any table by any column; bad paging parameters are 400s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qof_cancer.web import create_app


@pytest.fixture(scope="module")
def client(dashboard):
    return TestClient(create_app(dashboard), base_url="http://127.0.0.1")


def test_indicator_pages_continue_without_overlap_and_put_not_met_first(client):
    first = client.get("/api/indicator/CAN001").json()
    assert first["paging"]["pages"] > 1, "the fixture should need more than one page"
    second = client.get("/api/indicator/CAN001", params={"page": 2}).json()
    ids = lambda page: [p["patient_id"] for p in page["patients"]]  # noqa: E731
    assert len(ids(first)) == first["paging"]["size"]
    assert not set(ids(first)) & set(ids(second))
    assert second["paging"]["first"] == first["paging"]["size"] + 1
    can004 = client.get("/api/indicator/CAN004").json()["patients"]
    outcomes = [p["outcome"] for p in can004]
    assert "not_met" in outcomes and outcomes.index("not_met") == 0
    by_date = client.get("/api/indicator/CAN004", params={"sort": "can_dat", "dir": "desc"}).json()
    days = [p["can_dat"] for p in by_date["patients"] if p["can_dat"]]
    assert days == sorted(days, reverse=True)


def test_data_quality_findings_that_change_an_outcome_come_first(client, dashboard):
    body = client.get("/api/data-quality").json()
    findings = next(t for t in body["tables"] if t["name"] == "data_quality")
    flags = [bool(r["changes_outcome"]) for r in findings["rows"]]
    assert True in flags and False in flags and flags == sorted(flags, reverse=True)
    csv_flags = [
        bool(f) for f in dashboard.result.tables["data_quality"].column("changes_outcome").to_pylist()
    ]
    assert csv_flags == sorted(csv_flags, reverse=True)  # data_quality.csv is in the same order
    summary = next(t for t in body["tables"] if t["name"] == "data_quality_summary")
    assert all(r["findings"] for r in summary["rows"])


def test_any_table_sorts_by_any_column_and_pages(client):
    body = client.get("/api/tables/forecast", params={"sort": "payment_gbp", "dir": "desc"}).json()
    pounds = [r["payment_gbp"] for r in body["rows"]]
    assert pounds == sorted(pounds, reverse=True)
    html = client.get("/tables/forecast").text
    assert ">payment_gbp<" not in html and "Achievement %" in html  # headings in words


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/api/indicator/CAN004", {"page": "two"}, "page 'two'"),
        ("/api/indicator/CAN004", {"page": "0"}, "pages start at 1"),
        ("/api/indicator/CAN004", {"sort": "nhs_number"}, "sort 'nhs_number'"),
        ("/api/tables/forecast", {"dir": "sideways"}, "dir 'sideways'"),
    ],
)
def test_bad_paging_is_a_400(client, path, params, words):
    response = client.get(path, params=params)
    assert response.status_code == 400 and words in response.json()["error"]["message"]
