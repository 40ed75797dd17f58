"""The "Compared with England" page: JSON and HTML on practices shaped like real ones, a note for
synthetic codes, and the funnel plot drawn in Debian's chromium (screenshots for docs/benchmarks.md)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qof_cancer.synth import write_synthetic
from qof_cancer.synth.like import shapes_like
from qof_cancer.web import create_app
from qof_cancer.web.state import Dashboard, RunInputs
from tests.web.conftest import LiveServer

CHROMIUM = os.environ.get("QOF_CHROMIUM", "/usr/bin/chromium")  # as tests/web/test_browser.py
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

YEAR_END = date(2025, 3, 31)
LIKE = ("A81001", "A81025")  # two practices of STOCKTON PCN (U89141)


@pytest.fixture(scope="module")
def like_dashboard(tmp_path_factory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("like-dash")
    write_synthetic(
        folder / "data", "parquet", seed=3, as_of=YEAR_END, shapes=shapes_like(LIKE), planted=False
    )
    inputs = RunInputs(
        folder / "data" / "patients.parquet",
        folder / "data" / "events.parquet",
        year="2024-25",
        today=date(2025, 6, 1),
        out=folder / "out",
    )
    dash = Dashboard(inputs, folder / "out" / "dashboard.duckdb")
    dash.run()
    yield dash
    dash.close()


def test_benchmarks_json_has_each_practice_its_pcn_and_the_register_check(like_dashboard):
    client = TestClient(create_app(like_dashboard), base_url="http://127.0.0.1")
    body = client.get("/api/benchmarks").json()
    assert body["available"] and [r["practice_code"] for r in body["rows"]] == list(LIKE)
    assert {r["pcn_code"] for r in body["rows"]} == {"U89141"}
    assert body["neighbours"] == 4  # the PCN's other four practices, marked in orange
    assert [r["practice_code"] for r in body["register_check"]] == list(LIKE)
    html = client.get("/benchmarks").text
    assert html.count('<svg class="funnel"') == 1 and "99.8%" in html
    assert "Open Government Licence" in html


def test_synthetic_codes_get_a_note_not_an_error(dashboard):
    client = TestClient(create_app(dashboard), base_url="http://127.0.0.1")
    page = client.get("/benchmarks")
    assert page.status_code == 200
    assert "not in the published data" in page.text
    body = client.get("/api/benchmarks").json()
    assert all(not r["in_reference"] and r["england_rank"] for r in body["rows"])
    assert body["register_check"] is None  # an in-year 2025-26 run: nothing to reconcile


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_funnel_plot_renders_in_chromium_at_desktop_and_phone_width(like_dashboard, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: make setup")
    shots = DOCS_IMAGES if os.environ.get("QOF_SCREENSHOTS") == "docs" else tmp_path
    report = next(p for p in like_dashboard.result.files if p.suffix == ".html")
    with LiveServer(like_dashboard) as server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for width in (1400, 390):
            tab = browser.new_page(viewport={"width": width, "height": 900})
            tab.goto(server.url + "/benchmarks")
            box = tab.locator("svg.funnel").bounding_box()
            assert box and box["width"] >= 600 and box["height"] > 250  # scrolls sideways on a phone
            assert tab.locator("svg.funnel circle").count() == len(LIKE) + 4
            if width == 1400:
                tab.locator("#maincontent").screenshot(path=str(Path(shots) / "dashboard-benchmarks.png"))
            tab.goto(Path(report).as_uri() + "#benchmarks")
            assert tab.locator("#benchmarks svg.funnel").count() == 1
            if width == 1400:
                tab.locator("#benchmarks").screenshot(path=str(Path(shots) / "report-benchmarks.png"))
            tab.close()
        browser.close()
