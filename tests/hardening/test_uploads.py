"""Dashboard uploads under concurrency: each in its own folder, one run at a time, refused ones discarded."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

import httpx
import pytest

from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic
from qof_cancer.web.uploads import scrub_paths
from tests.web.conftest import LiveServer, make_dashboard


def _dataset(folder: Path, practices: int) -> dict[str, bytes]:
    write_synthetic(folder, "csv", 1, 100 * practices, 7 + practices, DEFAULT_AS_OF, SynthParams())
    return {f: (folder / f"{f}.csv").read_bytes() for f in ("patients", "events")}


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict[int, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("uploads-data")
    return {n: _dataset(root / f"p{n}", n) for n in (1, 2, 3)}


@pytest.fixture
def live(tmp_path, datasets):
    base = tmp_path / "base"
    base.mkdir()
    for name, data in datasets[1].items():
        (base / f"{name}.csv").write_bytes(data)
    dash = make_dashboard(tmp_path / "dash", base / "patients.csv", base / "events.csv")
    with LiveServer(dash) as server:
        yield dash, server
    dash.close()


def _wait(url: str) -> dict:
    deadline = time.time() + 60
    while time.time() < deadline:
        status = httpx.get(f"{url}/api/status").json()
        if status["run"]["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("the run did not finish")


def _shown(url: str) -> int:
    """Patients behind the dashboard's result."""
    return httpx.get(f"{url}/api/status").json()["patients_kept"]


def _rows(data: dict[str, bytes]) -> int:
    return data["patients"].count(b"\n") - 1


def test_overlapping_uploads_show_the_accepted_one(live, datasets):
    dash, server = live
    assert _shown(server.url) == _rows(datasets[1])
    answers: dict[int, httpx.Response] = {}
    barrier = threading.Barrier(3)

    def send(n: int) -> None:
        files = {f: (f"{f}.csv", data) for f, data in datasets[n].items()}
        barrier.wait()
        answers[n] = httpx.post(f"{server.url}/api/load", files=files, timeout=30)

    threads = [threading.Thread(target=send, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [n for n, r in answers.items() if r.status_code == 202]
    refused = [n for n, r in answers.items() if r.status_code == 409]
    assert len(accepted) == 1 and len(refused) == 2, {n: r.text for n, r in answers.items()}
    assert "already under way" in answers[refused[0]].json()["error"]["message"]
    assert _wait(server.url)["run"]["state"] == "done"
    assert _shown(server.url) == _rows(datasets[accepted[0]])
    # exactly one upload folder is kept: the one behind what is shown
    folders = list(dash.uploads.iterdir())
    assert len(folders) == 1 and Path(dash.inputs.patients).parent == folders[0]
    assert stat.S_IMODE(folders[0].stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folders[0].iterdir())
    assert stat.S_IMODE(dash.db.stat().st_mode) == 0o600


def test_a_second_upload_replaces_the_first_and_its_files(live, datasets):
    dash, server = live
    for n in (2, 3):
        files = {f: (f"{f}.csv", data) for f, data in datasets[n].items()}
        assert httpx.post(f"{server.url}/api/load", files=files).status_code == 202
        assert _wait(server.url)["run"]["state"] == "done"
        assert _shown(server.url) == _rows(datasets[n])
        assert len(list(dash.uploads.iterdir())) == 1


def test_a_failed_upload_is_deleted_and_leaves_the_last_result(live, datasets):
    dash, server = live
    files = {"patients": ("patients.csv", b"not,a,patients,file\n1,2,3,4\n"), "events": ("e.csv", b"x\n")}
    assert httpx.post(f"{server.url}/api/load", files=files).status_code == 202
    status = _wait(server.url)
    assert status["run"]["state"] == "failed"
    assert "/" not in status["run"]["error"], status["run"]["error"]  # no server path
    assert _shown(server.url) == _rows(datasets[1])
    assert not dash.uploads.exists() or not list(dash.uploads.iterdir())


def test_an_upload_past_the_limit_is_refused_and_not_kept(tmp_path, datasets):
    from fastapi.testclient import TestClient

    from qof_cancer.web import create_app

    base = tmp_path / "base"
    base.mkdir()
    for name, data in datasets[1].items():
        (base / f"{name}.csv").write_bytes(data)
    dash = make_dashboard(tmp_path / "dash", base / "patients.csv", base / "events.csv")
    client = TestClient(create_app(dash, upload_limit=1000), base_url="http://127.0.0.1")
    files = {"patients": ("p.csv", b"x" * 5000), "events": ("e.csv", b"y" * 10)}
    response = client.post("/api/load", files=files)
    assert response.status_code == 413 and "limit" in response.json()["error"]["message"], response.text
    files = {"patients": ("p.csv", b"x" * 900), "events": ("e.csv", b"y" * 1200)}
    response = client.post("/api/load", files=files)
    assert response.status_code == 413, response.text
    assert not list(dash.uploads.iterdir())
    dash.close()


def test_scrub_paths():
    assert scrub_paths("/srv/q/uploads/upload-x1/patients.csv: row 2") == "patients.csv: row 2"
    assert scrub_paths("file 'C:\\data\\p.csv' bad") == "file 'p.csv' bad"
    assert scrub_paths("CAN005.support_window=3 months") == "CAN005.support_window=3 months"
