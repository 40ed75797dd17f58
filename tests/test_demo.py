"""The demo end to end, and the synthetic PCN through the real engine: believable achievement."""

from __future__ import annotations

import csv

import pytest

from qof_cancer import api
from qof_cancer.cli import main
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
    for p in practices:
        assert 2.0 <= rows[(p, "CAN001")]["prevalence_pct"] <= 4.5
        assert 40.0 <= rows[(p, "CAN004")]["achievement_pct"] <= 97.0
        assert 40.0 <= rows[(p, "CAN005")]["achievement_pct"] <= 97.0
        assert rows[(p, "CAN004")]["denominator"] >= 15
    pcn_row = rows[("PCN", "CAN004")]
    assert 50.0 <= pcn_row["achievement_pct"] <= 95.0
    # Every outcome shows up somewhere in a PCN of 32,000 patients.
    outcomes = {r["outcome"] for r in result.outcomes.to_pylist() if r["indicator"] == "CAN004"}
    assert {"met", "not_met", "excluded_recent_diagnosis", "out_of_scope"} <= outcomes
    assert outcomes & {"pca_unsuitable", "pca_dissent", "pca_no_response"}


def test_demo_command_writes_both_years(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--practices", "2", "--patients-per-practice", "1500"]) == 0
    out = capsys.readouterr().out
    for folder in ("2025-26-in-year", "2024-25"):
        with (tmp_path / folder / "summary.csv").open() as fh:
            rows = list(csv.DictReader(fh))
        assert {r["indicator"] for r in rows} == {"CAN001", "CAN004", "CAN005"}
    assert "QOF 2025-26 cancer at 2025-11-15 (in-year)" in out
    assert "QOF 2024-25 cancer at 2025-03-31" in out
