"""Safe by default: loopback unless a token is set, the token on every request, no patient ids in logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from qof_cancer.cli import main
from qof_cancer.errors import UserError
from qof_cancer.web import create_app
from qof_cancer.web.security import COOKIE, check_host


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_token(host):
    check_host(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_other_hosts_need_a_token(host):
    with pytest.raises(UserError, match="not a loopback address"):
        check_host(host, None)
    check_host(host, "a-long-secret")


def test_serve_refuses_an_open_host_in_one_line(tmp_path, capsys):
    code = main(
        [
            "serve",
            "--patients",
            str(tmp_path / "p.csv"),
            "--events",
            str(tmp_path / "e.csv"),
            "--host",
            "0.0.0.0",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: --host 0.0.0.0: not a loopback address") and err.count("\n") == 1


def test_serve_has_help():
    assert main(["serve", "--help"]) == 0


@pytest.fixture(scope="module")
def guarded(dashboard) -> TestClient:
    return TestClient(
        create_app(dashboard, token="s3cret-token", host="0.0.0.0"), base_url="http://192.168.1.20"
    )


def test_token_required_on_every_request(guarded):
    for path in ("/api/summary", "/", "/static/dashboard.css", "/api/no-such-page"):
        response = guarded.get(path)
        assert response.status_code == 401, path
    assert guarded.get("/api/summary").json()["error"]["message"].startswith("this dashboard needs its token")
    assert guarded.get("/api/summary", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_bearer_header_is_accepted(guarded):
    assert guarded.get("/api/summary", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_query_token_sets_a_cookie_and_leaves_the_address(dashboard):
    client = TestClient(
        create_app(dashboard, token="s3cret-token", host="0.0.0.0"), base_url="http://192.168.1.20"
    )
    response = client.get("/indicator/CAN004?token=s3cret-token&outcome=met", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/indicator/CAN004?outcome=met"
    assert COOKIE in response.headers["set-cookie"] and "httponly" in response.headers["set-cookie"].lower()
    assert client.get("/indicator/CAN004?outcome=met").status_code == 200  # the cookie carries it now
    assert client.get("/indicator/CAN004?token=wrong").status_code == 200  # cookie still good
    client.cookies.clear()
    assert client.get("/indicator/CAN004?token=wrong").status_code == 401


def test_a_page_on_another_name_is_refused_without_a_token(dashboard):
    # DNS rebinding: a web page whose name points at 127.0.0.1 must not read the dashboard.
    client = TestClient(create_app(dashboard), base_url="http://evil.example")
    assert client.get("/api/summary").status_code == 400
    assert (
        TestClient(create_app(dashboard), base_url="http://localhost:8000").get("/api/summary").status_code
        == 200
    )


def test_cross_site_posts_are_refused(dashboard):
    client = TestClient(create_app(dashboard), base_url="http://127.0.0.1")
    response = client.post("/api/screening/run", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "a form from another site cannot change this dashboard"


def test_logs_name_routes_not_patients(dashboard, caplog):
    client = TestClient(create_app(dashboard), base_url="http://127.0.0.1")
    ids = [r["patient_id"] for r in dashboard.query("SELECT DISTINCT patient_id FROM outcomes LIMIT 3")]
    with caplog.at_level(logging.DEBUG):
        for pid in ids:
            assert client.get(f"/patient/{pid}").status_code == 200
            assert client.get(f"/api/patient/{pid}").status_code == 200
        client.get("/indicator/CAN004", params={"outcome": "not_met"})
        client.get("/api/tables/rejects")
    # httpx is the test's own client logging what it asked for; everything else is the server side.
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "GET /patient/{patient_id} 200" in text
    for pid in ids:
        assert pid not in text
    assert "not_met" not in text  # query strings are not logged either
