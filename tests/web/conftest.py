"""Fixtures for the dashboard tests: a small synthetic PCN (the demo's seed), a dashboard run on it, and
the real server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qof_cancer.api import FEATURES
from qof_cancer.cli.demo import EXAMPLE_SCHEME, write_demo_practice_details
from qof_cancer.engine.context import Feature
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic
from qof_cancer.web import Dashboard, RunInputs
from qof_cancer.web.server import make_server

DEMO_SEED = 2026  # the demo command's seed, so the screenshots show the demo PCN
YEAR = "2025-26"  # the example scheme's year that holds the generator's default extract date


@pytest.fixture(scope="session")
def pcn_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two practices of 2,000 synthetic patients (Parquet)."""
    folder = tmp_path_factory.mktemp("pcn")
    write_synthetic(folder, "parquet", 2, 2000, DEMO_SEED, DEFAULT_AS_OF, SynthParams())
    return folder / "patients.parquet", folder / "events.parquet"


def make_dashboard(
    folder: Path,
    patients: Path,
    events: Path,
    practice_details: bool = True,
    features: tuple[Feature, ...] = FEATURES,
) -> Dashboard:
    """The demo's local-scheme run (so the pounds are real) with the demo's practice details file;
    `features` are the run's features (default the registered ones)."""
    details = None
    if practice_details:
        details = write_demo_practice_details(folder / "practice-details.csv", ["Y90001", "Y90002"])
    inputs = RunInputs(
        patients,
        events,
        year=YEAR,
        as_of=DEFAULT_AS_OF,
        today=DEFAULT_AS_OF,
        out=folder / "out",
        scheme=EXAMPLE_SCHEME,
        practice_details=details,
    )
    dash = Dashboard(inputs, folder / "out" / "dashboard.duckdb", features=features)
    dash.run()
    return dash


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, pcn_files: tuple[Path, Path]) -> Iterator[Dashboard]:
    dash = make_dashboard(tmp_path_factory.mktemp("dash"), *pcn_files)
    yield dash
    dash.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving a dashboard in a thread; `url` is its address."""

    def __init__(self, dash: Dashboard, token: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server(dash, "127.0.0.1", self.port, token)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("the dashboard server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
