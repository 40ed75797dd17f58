"""A patients file without its header row: the message names no value of the first patient."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from fastapi.testclient import TestClient

from qof_cancer.cli import main
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic
from qof_cancer.web import create_app
from tests.web.conftest import make_dashboard


def _headless(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    write_synthetic(tmp_path, "csv", 1, 50, 3, DEFAULT_AS_OF, SynthParams(), planted=False)
    lines = (tmp_path / "patients.csv").read_text().splitlines(keepends=True)
    headless = tmp_path / "headless.csv"
    headless.write_text("".join(lines[1:]))
    values = [v for v in next(csv.reader([lines[1]])) if len(v) > 2]
    return headless, tmp_path / "events.csv", values


def test_the_terminal_shows_no_value_of_the_first_row(tmp_path, capsys):
    headless, events, values = _headless(tmp_path)
    code = main(["run", "--patients", str(headless), "--events", str(events), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "is the header row missing?" in err
    for value in values:
        assert value.lower() not in err.lower(), value


def test_the_dashboard_status_shows_no_value_of_the_first_row(tmp_path):
    headless, events, values = _headless(tmp_path)
    dash = make_dashboard(tmp_path / "d", tmp_path / "patients.csv", events)
    client = TestClient(create_app(dash), base_url="http://127.0.0.1")
    files = {"patients": ("p.csv", headless.read_bytes()), "events": ("e.csv", events.read_bytes())}
    assert client.post("/api/load", files=files).status_code == 202
    for _ in range(600):
        status = client.get("/api/status").json()
        if status["run"]["state"] != "running":
            break
        time.sleep(0.05)
    text = client.get("/api/status").text + client.get("/status").text
    assert "is the header row missing?" in text
    for value in values:
        assert value.lower() not in text.lower(), value
    dash.close()
