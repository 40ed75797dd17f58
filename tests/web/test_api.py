"""The dashboard over plain HTTP (FastAPI's TestClient): pages as JSON, one error shape, downloads."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from qof_cancer.web import create_app
from qof_cancer.web.app import page_names


@pytest.fixture(scope="module")
def client(dashboard) -> TestClient:
    return TestClient(create_app(dashboard), base_url="http://127.0.0.1")


def test_api_summary_is_summary_csv(client, dashboard):
    body = client.get("/api/summary").json()
    with (dashboard.inputs.out / "summary.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert body["columns"] == list(rows[0].keys())
    assert len(body["rows"]) == len(rows)
    key = lambda r: (r["level"], r["practice_code"] or "", r["indicator"])  # noqa: E731
    for got, want in zip(sorted(body["rows"], key=key), sorted(rows, key=key), strict=True):
        assert str(got["register"]) == want["register"]
        assert (got["numerator"] is None) == (want["numerator"] == "")


@pytest.mark.parametrize(
    "path", ["/", "/indicator/CAN004", "/tables", "/status", "/worklist", "/data-quality"]
)
def test_every_page_also_answers_as_json(client, path):
    html = client.get(path)
    api = client.get("/api/overview" if path == "/" else f"/api{path}")
    assert html.status_code == api.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert api.headers["content-type"] == "application/json"


def test_pages_list_covers_the_issue(client):
    names = page_names(client.app)
    for path in (
        "/",
        "/indicator/{indicator}",
        "/patient/{patient_id}",
        "/worklist",
        "/data-quality",
        "/screening",
        "/load",
    ):
        assert path in names


def test_overview_json_has_each_practice_and_the_pcn(client, dashboard):
    body = client.get("/api/overview").json()
    practices = {r["practice_code"] for r in dashboard.result.summary_rows() if r["level"] == "practice"}
    assert {p["code"] for p in body["practices"]} == practices
    assert body["pcns"] and body["pcns"][0]["total"]["is_total"]
    block = body["practices"][0]["ratio_blocks"][0]
    assert block["bar"]["lower_x"] < block["bar"]["upper_x"]  # the SVG geometry is the report's
    assert "×" in block["arithmetic"] or "no registered list" in block["arithmetic"]


def test_overview_html_draws_svg_bars(client):
    html = client.get("/").text
    assert html.count('<svg class="bar"') >= 4  # two practices, CAN004 and CAN005
    assert 'class="nhsuk-skip-link"' in html and "<caption" in html


def test_one_practice(client, dashboard):
    code = dashboard.result.summary_rows()[0]["practice_code"] or "Y90001"
    body = client.get(f"/api/practice/{code}").json()
    assert [p["code"] for p in body["practices"]] == [code]
    assert body["pcns"] == []


def test_indicator_filters_by_outcome_and_counts_rules(client, dashboard):
    body = client.get("/api/indicator/CAN004", params={"outcome": "not_met"}).json()
    n = dashboard.query(
        "SELECT count(*) AS n FROM outcomes WHERE indicator = 'CAN004' AND outcome = 'not_met'"
    )
    assert body["total"] == n[0]["n"] > 0
    assert {p["outcome"] for p in body["patients"]} == {"not_met"}
    assert sum(r["patients"] for r in body["rules"]) == len(
        dashboard.query("SELECT 1 FROM outcomes WHERE indicator = 'CAN004'")
    )


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/no-such-page", 404, "no such page"),
        ("/api/indicator/CAN009", 404, "indicator CAN009 is not in this run"),
        ("/api/practice/ZZZ999", 404, "practice ZZZ999 is not in this run"),
        ("/api/patient/not-a-patient", 404, "no patient with that id"),
        ("/api/indicator/CAN004?outcome=maybe", 400, "outcome 'maybe'"),
        ("/api/tables/nothing", 404, "table nothing is not in this run"),
    ],
)
def test_one_error_shape(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert words in body["error"]["message"]


def test_html_errors_say_the_same(client):
    response = client.get("/indicator/CAN009")
    assert response.status_code == 404
    assert "indicator CAN009 is not in this run" in response.text
    assert "<h1>Not found</h1>" in response.text


def test_bad_upload_is_a_400_in_the_error_shape(client):
    files = {"patients": ("p.txt", b"x"), "events": ("e.csv", b"patient_id,code,date\n")}
    response = client.post("/api/load", files=files)
    assert response.status_code == 400
    assert "must be .csv or .parquet" in response.json()["error"]["message"]
    assert client.post("/api/load", files={}).json()["error"]["message"].startswith("choose a patients file")


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def test_static_styles_are_vendored_and_make_no_outside_request(client):
    css = client.get("/static/nhsuk/nhsuk-frontend.min.css")
    assert css.status_code == 200 and "--nhsuk-frontend-version" in css.text
    assert "https://" not in css.text and "http://" not in css.text
    assert client.get("/static/nhsuk/assets/images/nhsuk-icon-cross.svg").status_code == 200
    assert "cdn" not in client.get("/").text.lower()


def test_worklist_pages_say_not_available_when_a_run_has_no_worklist(tmp_path, pcn_files):
    """A run without the worklist feature answers 404 for the file and says so on the page."""
    from tests.web.conftest import make_dashboard

    dash = make_dashboard(tmp_path, *pcn_files, features=())
    try:
        assert "worklist" not in dash.result.tables
        bare = TestClient(create_app(dash), base_url="http://127.0.0.1")
        assert bare.get("/worklist.csv").status_code == 404
        assert "Not available in this run" in bare.get("/worklist").text
        assert bare.get("/api/worklist").json()["available"] is False
    finally:
        dash.close()
