"""`qof-cancer import fhir` on small UK Core, Synthea (US Core) and NDJSON fixtures, broken ones included."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from qof_cancer.cli import main
from qof_cancer.errors import InputError
from qof_cancer.folders import MANIFEST
from qof_cancer.importers import FhirOptions, import_fhir

FIXTURES = Path(__file__).parent / "fixtures"


def _rejects(out: Path) -> list[tuple[str, str, str, str, str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8") as fh:
        return [
            (Path(r["file"]).name, r["position"], r["resource_type"], r["field"], r["value"], r["reason"])
            for r in csv.DictReader(fh)
        ]


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def _events(out: Path) -> set[tuple]:
    return {
        (e["patient_id"], e["code"], e["date"].isoformat(), e["episode"])
        for e in _rows(out / "events.parquet")
    }


def test_uk_core_bundle(tmp_path):
    out = tmp_path / "out"
    report = import_fhir([FIXTURES / "uk_core_bundle.json"], out)
    patients = {p["patient_id"]: p for p in _rows(out / "patients.parquet")}
    assert set(patients) == {"pat-a", "pat-b"}
    a = patients["pat-a"]
    # Practice from generalPractitioner -> Organization (by urn:uuid) -> ODS; registration from the extension.
    assert (a["practice_code"], a["sex"], a["nhs_number"]) == ("F84001", "F", "9434765919")
    assert (a["date_of_birth"], a["registration_start"]) == (date(1958, 3, 2), date(2004, 9, 14))
    b = patients["pat-b"]
    # Registration and practice from EpisodeOfCare; gender "other" is I; a bad NHS number is left out.
    assert (b["practice_code"], b["registration_start"], b["sex"], b["nhs_number"]) == (
        "F84002",
        date(2023, 12, 1),
        "I",
        None,
    )
    assert _events(out) == {
        ("pat-a", "254837009", "2023-06-10", "first"),  # onsetDateTime, its own time zone's date
        ("pat-a", "720006006", "2024-01-15", None),
        ("pat-a", "60621009", "2023-11-02", None),  # effectivePeriod.start
        ("pat-b", "93761005", "2022-09-01", None),  # recordedDate fallback
    }
    bmi = next(e for e in _rows(out / "events.parquet") if e["code"] == "60621009")
    assert (bmi["value"], bmi["unit"]) == (27.4, "kg/m2")
    assert set(_rejects(out)) == {
        ("uk_core_bundle.json", "/entry/5/resource", "Condition", "subject", "", "required value missing (no patient reference)"),
        ("uk_core_bundle.json", "/entry/6/resource", "Observation", "date", "",
         "no date (none of effectiveDateTime, effectivePeriod.start, effectiveInstant, issued)"),
        ("uk_core_bundle.json", "/entry/7/resource", "Condition", "code.coding.system", "http://read.info/readv2",
         "no SNOMED CT coding (--code-system takes codes in another system as written)"),
        ("uk_core_bundle.json", "/entry/8/resource", "Condition", "subject", "Patient/not-in-this-extract",
         "unknown patient: no patient with this reference in the input"),
        ("uk_core_bundle.json", "/entry/9/resource", "Condition", "verificationStatus", "entered-in-error",
         "entered-in-error: not a clinical event"),
        ("uk_core_bundle.json", "/entry/10/resource", "Condition", "onsetDateTime", "2023-06",
         "partial date (year or year-month only): the day is unknown"),
        ("uk_core_bundle.json", "/entry/12/resource", "Patient", "identifier", "9434765910",
         "not a valid NHS number (modulus-11 check digit wrong)"),
        ("uk_core_bundle.json", "/entry/15/resource", "Patient", "deceasedBoolean", "True",
         "deceased with no date of death: the date decides the population"),
        ("uk_core_bundle.json", "/entry/16/resource", "Condition", "subject", "Patient/pat-c",
         "the patient was not converted (see the patient's row in rejects.csv)"),
    }  # fmt: skip
    assert report.other_types == {"Encounter": 1}
    # Every resource read is converted or has a reason.
    for kind in ("Patient", "Condition", "Observation", "Procedure"):
        skipped = sum(n for (k, _), n in report.skipped.items() if k == kind)
        assert report.read[kind] == report.converted[kind] + skipped, kind
    assert (
        report.notes[("Observation", "codings in http://loinc.org left out (a SNOMED CT coding was used)")]
        == 1
    )


def test_read_codes_taken_when_asked(tmp_path):
    """--code-system takes a practice's Read or local codes as written, instead of reporting them."""
    report = import_fhir(
        [FIXTURES / "uk_core_bundle.json"],
        tmp_path,
        FhirOptions(code_systems=("http://read.info/readv2",)),
    )
    assert ("pat-a", "B34..", "2019-05-01", None) in _events(tmp_path)
    assert report.converted["Condition"] == 3


def test_synthea_bundle_needs_and_says_its_defaults(tmp_path):
    # Synthea patients have no ODS practice and no registration: without defaults, none is converted.
    with pytest.raises(InputError, match="no patients could be converted; the reasons are in"):
        import_fhir([FIXTURES / "synthea_bundle.json"], tmp_path / "bare")
    assert [r[3:] for r in _rejects(tmp_path / "bare") if r[2] == "Patient"] == [
        (
            "generalPractitioner",
            "",
            "no registered practice ODS code (generalPractitioner or EpisodeOfCare); give --practice-code",
        )
    ]
    out = tmp_path / "out"
    report = import_fhir(
        [FIXTURES / "synthea_bundle.json"],
        out,
        FhirOptions(practice_code="A81001", registration_start=date(2000, 1, 1)),
    )
    (patient,) = _rows(out / "patients.parquet")
    assert (patient["patient_id"], patient["practice_code"], patient["sex"]) == (
        "7e3c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        "A81001",
        "F",
    )
    pid = patient["patient_id"]
    # Offsets kept as written: 2023-02-01T10:15:30-05:00 is 2023-02-01.
    assert _events(out) == {(pid, "254837009", "2023-02-01", None), (pid, "392021009", "2023-03-10", None)}
    assert report.notes[("Patient", "practice code from --practice-code (none in the records)")] == 1
    assert report.other_types == {"Encounter": 1, "Claim": 1}
    assert [r[2:4] for r in _rejects(out)] == [("Observation", "code.coding.system")]


def test_ndjson_streams_and_reports_by_line(tmp_path):
    source = tmp_path / "export"
    source.mkdir()
    for name in ("Patient.ndjson", "Condition.ndjson"):
        shutil.copy(FIXTURES / name, source / name)
    with gzip.open(source / "Observation.ndjson.gz", "wb") as fh:  # bulk exports are often gzipped
        fh.write((FIXTURES / "Observation.ndjson").read_bytes())
    out = tmp_path / "out"
    import_fhir([source], out, FhirOptions(patient_id="nhs-number"))
    assert {p["patient_id"] for p in _rows(out / "patients.parquet")} == {"9434765927", "9434765935"}
    assert _events(out) == {
        ("9434765927", "399068003", "2022-11-15", None),  # onsetPeriod.start
        ("9434765935", "254632001", "2023-09-02", None),  # subject given by NHS number identifier
        ("9434765927", "720006006", "2023-10-01", None),  # absolute reference with _history; issued
    }
    got = {(r[0], r[1], r[3], r[5].split(":")[0]) for r in _rejects(out)}
    assert got == {
        ("Condition.ndjson", "line 2", "", "not valid JSON"),
        ("Condition.ndjson", "line 3", "subject", "required value missing (no patient reference)"),
        ("Condition.ndjson", "line 4", "code.coding.code", "not a SNOMED CT identifier (check digit wrong"),
        ("Observation.ndjson.gz", "line 2", "status", "cancelled"),
        ("Patient.ndjson", "line 4", "identifier", "no valid NHS number (--patient-id nhs-number)"),
    }


def test_same_patient_in_two_bundles(tmp_path):
    """An identical copy is merged; copies that disagree are both rejected, with their events."""
    bundle = json.loads((FIXTURES / "synthea_bundle.json").read_text())
    (tmp_path / "a.json").write_text(json.dumps(bundle))
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    options = FhirOptions(practice_code="A81001", registration_start=date(2000, 1, 1))
    report = import_fhir([tmp_path / "a.json", tmp_path / "b.json"], tmp_path / "same", options)
    assert report.patients_written == 1 and report.events_written == 4
    bundle["entry"][0]["resource"]["birthDate"] = "1961-07-20"
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    with pytest.raises(InputError):
        import_fhir([tmp_path / "a.json", tmp_path / "b.json"], tmp_path / "differ", options)
    reasons = {(r[0], r[2], r[5]) for r in _rejects(tmp_path / "differ")}
    assert ("a.json", "Patient", "the same patient appears 2 times with different details") in reasons
    assert ("b.json", "Patient", "the same patient appears 2 times with different details") in reasons
    assert (
        "b.json",
        "Condition",
        "the patient was not converted (see the patient's row in rejects.csv)",
    ) in reasons


def test_cli_writes_summary_and_says_counts_only(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["import", "fhir", str(FIXTURES / "uk_core_bundle.json"), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    assert "Patient: 3 read, 2 converted" in printed.out
    assert "9434765919" not in printed.out + printed.err and "pat-a" not in printed.out + printed.err
    summary = json.loads((out / "import-summary.json").read_text())
    assert summary["by_type"]["Condition"]["converted"] == 2
    assert summary["other_types"] == {"Encounter": 1}
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == [
        "events.parquet",
        "import-summary.json",
        "patients.parquet",
        "rejects.csv",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--patient-id", "mrn"], "--patient-id 'mrn': choose fhir-id or nhs-number"),
        (
            ["--registration-start", "01/01/2000"],
            "--registration-start '01/01/2000': expected a date YYYY-MM-DD",
        ),
    ],
)
def test_cli_bad_options(tmp_path, capsys, args, message):
    assert main(["import", "fhir", str(FIXTURES), "--out", str(tmp_path), *args]) == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"


def test_missing_path_and_empty_folder(tmp_path, capsys):
    assert main(["import", "fhir", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.json'}: no such file or folder"
    (tmp_path / "empty").mkdir()
    assert main(["import", "fhir", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "no .json or .ndjson files in this folder" in capsys.readouterr().err


def test_broken_files_reported_and_progress_counts_every_byte(tmp_path):
    """A .json file of NDJSON lines is read as NDJSON; a truncated Bundle is reported; the rest converts."""
    source = tmp_path / "in"
    source.mkdir()
    (source / "patients.json").write_bytes((FIXTURES / "Patient.ndjson").read_bytes())
    (source / "truncated.json").write_text('{"resourceType": "Bundle", "entry": [')
    (source / "notes.txt").write_text("not read: not JSON by name")
    seen: list[tuple[int, int]] = []
    report = import_fhir([source], tmp_path / "out", progress=lambda n, total: seen.append((n, total)))
    assert report.files == 2 and report.patients_written == 2
    total = (source / "patients.json").stat().st_size + (source / "truncated.json").stat().st_size
    assert {t for _, t in seen} == {total} and sum(n for n, _ in seen) == total
    rejects = _rejects(tmp_path / "out")
    assert ("truncated.json", "/", "(unreadable)", "not valid JSON") in {
        (*r[:3], r[5].split(":")[0]) for r in rejects
    }
    assert ("patients.json", "line 4", "Patient", "birthDate") in {r[:4] for r in rejects}
