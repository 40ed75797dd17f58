"""The data-quality feature inside a run: its files, the summary grid, rejected rows, its settings, and
that it leaves the indicators' results alone."""

from __future__ import annotations

import csv
from datetime import date

from qof_cancer import api
from qof_cancer.engine.reference import Event, Patient
from qof_cancer.model.dates import Duration
from qof_cancer.quality import (
    CHECKS,
    DATA_QUALITY_COLUMNS,
    FEATURE,
    REJECT_CHECKS,
    SUMMARY_COLUMNS,
    QualitySettings,
    make_feature,
)
from tests.helpers import write_inputs

TODAY = date(2026, 6, 1)
BREAST = "254837009"


def _patient(pid: str, practice: str, *events: tuple[str, str]) -> Patient:
    return Patient(
        patient_id=pid,
        practice_code=practice,
        pcn_code="U00001",
        registration_start=date(2000, 1, 1),
        registration_end=None,
        date_of_death=None,
        events=tuple(Event(code, date.fromisoformat(day)) for code, day in events),
    )


PATIENTS = [
    _patient("p1", "A00001", (BREAST, "2023-01-10"), (BREAST, "2023-04-10")),
    _patient("p2", "A00001", (BREAST, "2022-02-01"), (BREAST, "2023-03-01")),
    _patient("p3", "B00002", ("254701007", "2019-05-01")),
]


def test_the_feature_is_in_the_run_and_writes_its_files(tmp_path):
    assert FEATURE in api.FEATURES
    ppath, epath = write_inputs(tmp_path / "in", PATIENTS)
    result = api.run(ppath, epath, year="2023-24", today=TODAY, out=tmp_path / "out")
    for name, columns in (("data_quality", DATA_QUALITY_COLUMNS), ("data_quality_summary", SUMMARY_COLUMNS)):
        with (tmp_path / "out" / f"{name}.csv").open() as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames) == columns
            written = [(r["practice_code"], r["check"]) for r in reader]
        table = result.tables[name].to_pylist()
        assert written == [(r["practice_code"] or "", r["check"]) for r in table]
    found = {(r["patient_id"], r["check"]) for r in result.tables["data_quality"].to_pylist()}
    assert found == {
        ("p1", "duplicate_diagnosis"),
        ("p2", "recoded_diagnosis"),
        ("p3", "skin_cancer_not_on_register"),
    }


def test_the_summary_counts_every_check_for_every_practice(tmp_path):
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    summary = api.run(ppath, epath, year="2023-24", today=TODAY).tables["data_quality_summary"].to_pylist()
    practice_rows = [r for r in summary if r["practice_code"]]
    assert [(r["practice_code"], r["check"]) for r in practice_rows] == [
        (p, c.name) for p in ("A00001", "B00002") for c in CHECKS
    ]
    by = {(r["practice_code"], r["check"]): r for r in practice_rows}
    assert by[("A00001", "duplicate_diagnosis")]["findings"] == 1
    assert by[("A00001", "duplicate_diagnosis")]["patients_outcome_changed"] == 1
    assert by[("B00002", "duplicate_diagnosis")]["findings"] == 0
    assert by[("B00002", "skin_cancer_not_on_register")]["patients"] == 1
    assert by[("B00002", "skin_cancer_not_on_register")]["patients_outcome_changed"] == 0


def test_rejected_dates_are_counted_from_the_rejects_table(tmp_path):
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    with epath.open("a", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["p1", BREAST, "2030-01-01", ""])  # in the future
        writer.writerow(["p2", BREAST, "2031-01-01", ""])  # in the future
        writer.writerow(["p3", BREAST, "1940-01-01", ""])  # before the date of birth (1950-01-01)
    summary = api.run(ppath, epath, year="2023-24", today=TODAY).tables["data_quality_summary"].to_pylist()
    rejected = {r["check"]: r for r in summary if r["practice_code"] is None}
    assert set(rejected) == {c.name for c in REJECT_CHECKS}
    assert rejected["rejected_date_in_future"]["findings"] == 2
    assert rejected["rejected_date_before_birth"]["findings"] == 1
    assert rejected["rejected_date_in_future"]["patients"] is None


def test_the_duplicate_interval_is_a_setting(tmp_path):
    """With 18 months, p2's second code 13 months on is a duplicate rather than a recode."""
    feature = make_feature(QualitySettings(duplicate_interval=Duration(18, "months")))
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    result = api.run(ppath, epath, year="2023-24", today=TODAY, features=(feature,))
    rows = result.tables["data_quality"].to_pylist()
    assert {(r["patient_id"], r["check"]) for r in rows if r["patient_id"] == "p2"} == {
        ("p2", "duplicate_diagnosis")
    }


def test_the_checks_leave_the_indicators_alone(tmp_path):
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    with_checks = api.run(ppath, epath, year="2023-24", today=TODAY)
    without = api.run(ppath, epath, year="2023-24", today=TODAY, features=())
    assert with_checks.outcomes.equals(without.outcomes)
    assert with_checks.summary_rows() == without.summary_rows()
    assert "data_quality" not in without.tables


def test_of_two_records_on_one_day_the_finding_names_the_one_earlier_in_the_file(tmp_path):
    """A basal cell carcinoma coded as a disorder and as a morphology on the same day: the finding is the
    record earlier in the events file, whichever it is (the same on every engine)."""
    bcc_disorder, bcc_morphology = "254701007", "1338007"
    for first, second in ((bcc_disorder, bcc_morphology), (bcc_morphology, bcc_disorder)):
        patients = [_patient("p1", "A00001", (first, "2019-05-01"), (second, "2019-05-01"))]
        ppath, epath = write_inputs(tmp_path / first, patients)
        rows = api.run(ppath, epath, year="2023-24", today=TODAY).tables["data_quality"].to_pylist()
        assert [(r["check"], r["code"]) for r in rows] == [("skin_cancer_not_on_register", first)]
