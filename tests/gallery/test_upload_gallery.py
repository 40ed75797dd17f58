"""The gallery through `serve`: each `run` case whose inputs are a patients and an events file, uploaded
to the dashboard. The upload is accepted or refused as `run` would have it, the status shows the same
message without a server path, and no patient value reaches a page or the API."""

from __future__ import annotations

import logging
import time

import pytest
import yaml
from fastapi.testclient import TestClient

from qof_cancer.web import create_app
from tests.gallery.test_gallery import ALL, _patient_values
from tests.web.conftest import make_dashboard

PLAIN_RUN = ["run", "--patients", "patients.csv", "--events", "events.csv", "--year", "2023-24"]
UPLOADS = [
    c
    for c in ALL
    if c.parent.name == "run"
    and (c / "patients.csv").exists()
    and (c / "events.csv").exists()
    and yaml.safe_load((c / "expect.yaml").read_text())["args"][:7] == PLAIN_RUN
    and len(yaml.safe_load((c / "expect.yaml").read_text())["args"]) == 11  # no --scheme, --setting
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = next(c for c in UPLOADS if c.name == "semicolon-delimiter")
    dash = make_dashboard(tmp_path_factory.mktemp("dash"), base / "patients.csv", base / "events.csv")
    yield TestClient(create_app(dash), base_url="http://127.0.0.1"), dash
    dash.close()


@pytest.mark.parametrize("case", UPLOADS, ids=[c.name for c in UPLOADS])
def test_upload_gallery_case(client, case, caplog):
    caplog.set_level(logging.DEBUG)
    http, dash = client
    expect = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    files = {f: (f"{f}.csv", (case / f"{f}.csv").read_bytes()) for f in ("patients", "events")}
    answer = http.post("/api/load", files=files)
    assert answer.status_code == 202, answer.text
    for _ in range(1200):
        status = http.get("/api/status").json()["run"]
        if status["state"] != "running":
            break
        time.sleep(0.05)
    assert status["state"] == ("done" if expect["exit"] == 0 else "failed"), status
    if expect["exit"] == 2 and "message" in expect:
        assert expect["message"] in status["error"]
        assert "/" not in status["error"].split(":")[0]  # the file is named, not where the server keeps it
    pages = http.get("/api/status").text + http.get("/status").text
    if status["state"] == "done":
        pages += http.get("/api/overview").text + http.get("/").text
    # every page and API answer, and every log line (httpx's are the test client's own, not the server's)
    pages += "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    leaked = [v for v in _patient_values(case) if v.lower() in pages.lower()]
    assert not leaked, leaked
    assert len(list(dash.uploads.iterdir())) <= 1


def test_the_upload_gallery_has_cases():
    assert len(UPLOADS) >= 8
