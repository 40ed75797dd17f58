"""The demo end to end, and the synthetic PCN through the real engine: believable achievement."""

from __future__ import annotations

import csv

import pytest

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.reference import load_reference
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic


@pytest.fixture(scope="module")
def pcn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pcn")
    write_synthetic(folder, "parquet", 4, 8000, 11, DEFAULT_AS_OF, SynthParams())
    return folder


def test_synthetic_pcn_through_the_engine_looks_like_a_real_one(pcn):
    result = api.run(pcn / "patients.parquet", pcn / "events.parquet", year="2024-25", today=DEFAULT_AS_OF)
    rows = {(r["practice_code"] or "PCN", r["indicator"]): r for r in result.summary_rows()}
    practices = sorted({k[0] for k in rows if k[0] != "PCN"})
    assert len(practices) == 4
    assert result.load.rows_rejected == 0, result.load.lines()
    # Register prevalence inside the range England's practices span (p5 to p95 of the published figures).
    england = sorted(100 * p.prevalence for p in load_reference().with_register())
    low, high = england[len(england) // 20], england[-len(england) // 20]
    for p in practices:
        assert low <= rows[(p, "CAN001")]["prevalence_pct"] <= high
        assert 40.0 <= rows[(p, "CAN004")]["achievement_pct"] <= 97.0
        assert 40.0 <= rows[(p, "CAN005")]["achievement_pct"] <= 97.0
        assert rows[(p, "CAN004")]["denominator"] >= 10  # the p12 practice (2.0%) of 8,000 has about 13
    pcn_row = rows[("PCN", "CAN004")]
    assert 50.0 <= pcn_row["achievement_pct"] <= 95.0
    # Every outcome shows up somewhere in a PCN of 32,000 patients.
    outcomes = {r["outcome"] for r in result.outcomes.to_pylist() if r["indicator"] == "CAN004"}
    assert {"met", "not_met", "excluded_recent_diagnosis", "out_of_scope"} <= outcomes
    assert outcomes & {"pca_unsuitable", "pca_dissent", "pca_no_response"}


def _csv(path):
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _csv_or_empty(path):
    return _csv(path) if path.exists() else []


def test_demo_shows_the_money_in_a_paid_year_and_under_a_local_scheme(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--practices", "2", "--patients-per-practice", "1500"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for folder in ("2023-24-in-year", "2023-24", "2026-27-local-scheme"):
        rows = _csv(tmp_path / folder / "summary.csv")
        assert {r["indicator"] for r in rows} == {"CAN001", "CAN004", "CAN005"}
    assert "QOF 2023-24 cancer at 2023-11-15 (in-year)" in out
    assert "QOF 2023-24 cancer at 2024-03-31" in out
    assert "QOF 2026-27 cancer at 2026-11-15 (in-year)" in out
    # The terminal says in words what the statuses mean.
    assert "protected (CAN001): income protection: paid at the points the practice achieved in 2022-23" in out
    assert "local (CAN001, CAN004, CAN005): paid by the local scheme" in out
    for folder in ("2023-24-in-year", "2026-27-local-scheme"):
        worklist = _csv(tmp_path / folder / "worklist.csv")
        acting = [r for r in worklist if r["list"] in ("support_contact", "care_review")]
        assert acting and any(float(r["value_gbp"] or 0) > 0 for r in acting), folder
        forecast = _csv(tmp_path / folder / "forecast.csv")
        done = [r for r in forecast if r["scenario"] == "year_end_worklist_done" and r["level"] == "practice"]
        assert any(float(r["payment_gbp"]) > 0 for r in done), folder
        # Letters and texts carry the practice's own details, from the demo's practice details file.
        # Each practice's messages carry its own name and phone, whichever practices have any to send.
        details = {"Y90001": ("Riverside Surgery", "01632 960001"), "Y90002": ("Hill Street", "01632 960002")}
        sent = 0
        for code, (name, phone) in details.items():
            for kind in ("sms", "letters"):
                for m in _csv_or_empty(tmp_path / folder / "messages" / f"{code}-{kind}.csv"):
                    text = m.get("message") or m.get("letter") or ""
                    assert name in text and phone in text, (folder, code)
                    sent += 1
        if folder.startswith("2026-27"):  # today's year has messages due; 2023-24 in-year may have none
            assert sent, folder
