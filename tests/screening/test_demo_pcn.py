"""The demo PCN: 4 synthetic practices of 10,000 patients (seed 2026) through `qof-cancer screening`.

Believable coverage, at least one low-participation group flagged, the planted faults found, and a
PCN summary that holds no small numbers and no patient identifiers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qof_cancer.cli import main

AS_OF = "2025-11-15"  # the generator's default extract date


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("demo-data")
    out = tmp_path_factory.mktemp("demo-out")
    args = ["synth", "--practices", "4", "--patients-per-practice", "10000", "--seed", "2026"]
    assert main([*args, "--format", "parquet", "--out", str(data)]) == 0
    plan = Path(__file__).resolve().parents[2] / "docs/examples/screening-plan.yaml"
    code = main(
        [
            "screening",
            "--patients",
            str(data / "patients.parquet"),
            "--events",
            str(data / "events.parquet"),
            "--as-of",
            AS_OF,
            "--plan",
            str(plan),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return data, out


def test_all_files_written(demo):
    _, out = demo
    names = {p.name for p in out.iterdir()}
    assert {
        "coverage.csv",
        "non_responders.csv",
        "groups.csv",
        "contacts.csv",
        "contacts_to_correct.csv",
        "results_pending.csv",
        "plan_progress.csv",
        "pcn_summary.csv",
        "screening.json",
    } <= names


@pytest.mark.parametrize(
    ("programme", "low", "high"),
    [("cervical_25_49", 55, 80), ("cervical_50_64", 60, 85), ("bowel", 50, 75), ("breast", 60, 82)],
)
def test_believable_pcn_coverage(demo, programme, low, high):
    _, out = demo
    row = next(r for r in _read(out / "coverage.csv") if r["level"] == "pcn" and r["programme"] == programme)
    assert int(row["eligible"]) > 1000
    assert low <= float(row["coverage_pct"]) <= high


def test_low_participation_groups_flagged(demo):
    _, out = demo
    below = [r for r in _read(out / "groups.csv") if r["flag"] == "clearly below"]
    assert below
    pcn = {(r["programme"], r["dimension"], r["group"]) for r in below if r["level"] == "pcn"}
    # the generator lowers uptake with learning disability and deprivation: both must show
    assert any(d == "learning_disability" and g == "Yes" for _, d, g in pcn)
    assert any(d == "imd_quintile" and g == "1" for _, d, g in pcn)
    for r in below:
        assert float(r["ci_high_pct"]) < float(r["unit_coverage_pct"])


def test_results_pending_are_planted_faults(demo):
    data, out = demo
    planted = {
        r["patient_id"] for r in _read(data / "planted.csv") if r["fault"] == "cervical_sample_no_result"
    }
    pending = _read(out / "results_pending.csv")
    assert pending
    assert {r["patient_id"] for r in pending} <= planted


def test_numbers_to_correct_are_planted_faults(demo):
    data, out = demo
    faults = {
        "mobile_malformed": "malformed",
        "mobile_personal_070": "personal_070",
        "mobile_pager_076": "pager",
        "mobile_landline_in_mobile_field": "landline",
    }
    planted = {
        r["patient_id"]: faults[r["fault"]] for r in _read(data / "planted.csv") if r["fault"] in faults
    }
    rows = [r for r in _read(out / "contacts_to_correct.csv") if r["field"] == "mobile_phone"]
    assert rows
    for r in rows:
        assert planted.get(r["patient_id"]) == r["class"]


def test_follow_up_list_is_sorted_and_not_covered(demo):
    _, out = demo
    rows = _read(out / "non_responders.csv")
    keys = [(r["practice_code"], r["programme"], int(r["priority"]), -int(r["days_overdue"])) for r in rows]
    assert keys == sorted(keys)
    not_covered = sum(int(r["not_covered"]) for r in _read(out / "coverage.csv") if r["level"] == "practice")
    assert len(rows) == not_covered


def test_pcn_summary_is_safe_to_share(demo):
    data, out = demo
    rows = _read(out / "pcn_summary.csv")
    text = (out / "pcn_summary.csv").read_text()
    assert "Y90001-" not in text  # no patient identifiers
    for r in rows:
        for column in ("eligible", "covered", "not_covered"):
            value = r[column]
            assert value == "*" or int(value) % 5 == 0
            assert value == "*" or not 1 <= int(value) <= 7
    assert any(r[c] == "*" for r in rows for c in ("eligible", "covered"))


def test_plan_progress_reported(demo):
    _, out = demo
    rows = {r["id"]: r for r in _read(out / "plan_progress.csv")}
    assert set(rows) == {"A1", "A2", "A3", "A4", "A5"}
    assert all(r["status"] for r in rows.values())
    assert rows["A1"]["now"] and rows["A1"]["baseline"]
