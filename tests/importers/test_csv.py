"""`qof-cancer import csv`: report exports through the example maps in docs/import-maps/."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from qof_cancer import api
from qof_cancer.cli import main
from qof_cancer.errors import InputError, RuleFileError
from qof_cancer.importers import import_csv, load_map

FIXTURES = Path(__file__).parent / "fixtures"
MAPS = Path(__file__).resolve().parents[2] / "docs" / "import-maps"
EXTRACT = date(2025, 11, 15)


def _rejects(out: Path) -> list[tuple[str, str, str, str, str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8") as fh:
        return [
            (Path(r["file"]).name, r["position"], r["field"], r["value"], r["reason"], r["action"])
            for r in csv.DictReader(fh)
        ]


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_emis_shape_two_event_files(tmp_path):
    out = tmp_path / "out"
    report = import_csv(
        load_map(MAPS / "emis-search-export.toml"),
        [FIXTURES / "emis_patients.csv"],
        [FIXTURES / "emis_events_1.csv", FIXTURES / "emis_events_2.csv"],
        out,
        extract_date=EXTRACT,
    )
    patients = {p["patient_id"]: p for p in _rows(out / "patients.parquet")}
    assert {k: (p["date_of_birth"], p["sex"], p["registration_start"], p["date_of_death"], p["nhs_number"])
            for k, p in patients.items()} == {
        "1001": (date(1958, 3, 2), "F", date(2004, 9, 14), None, "9434765919"),  # 02-Mar-1958; spaces in NHS no.
        "1002": (date(1971, 12, 25), "M", date(2023, 12, 1), None, None),  # 25/12/71 and 1/12/23
        "1004": (date(1945, 6, 5), "U", date(1999, 4, 3), date(2024, 2, 20), None),  # 05/06/45; date and time
    }  # fmt: skip
    events = {
        (e["patient_id"], e["code"], e["date"].isoformat(), e["value"], e["unit"])
        for e in _rows(out / "events.parquet")
    }
    assert events == {
        ("1001", "254837009", "2023-06-10", None, None),  # "code - term"
        ("1001", "720006006", "2024-01-15", None, None),  # "term (code)", a date with a time
        ("1002", "93761005", "2022-09-01", None, None),
        ("1002", "60621009", "2023-11-02", 27.4, "kg/m2"),  # an ISO date is fine too
        ("1002", "60621009", "2023-11-02", None, "kg/m2"),  # "<5" is not a number: value left out, row kept
    }  # fmt: skip
    assert _rejects(out) == [
        ("emis_patients.csv", "line 5", "nhs_number", "9434765910", "not a valid NHS number (modulus-11 check digit wrong)", "value ignored"),
        ("emis_patients.csv", "line 6", "date_of_birth", "31/02/1960", "not a real calendar date (day first: day/month/year)", "skipped"),
        ("emis_patients.csv", "line 8", "sex", "Unspecified", "sex not recognised: add it to [patients.values.sex] in the map", "skipped"),
        ("emis_events_1.csv", "line 8", "value", "<5", "not a number", "value ignored"),
        ("emis_events_2.csv", "line 5", "date", "13/2023", "not a date (expected day/month/year, e.g. 31/03/2024)", "skipped"),
        ("emis_events_2.csv", "line 6", "code", "Malignant neoplasm of breast (disorder)",
         "no code found (expected a code, 'code - term' or 'term (code)')", "skipped"),
        ("emis_events_2.csv", "line 7", "code", "254837008",
         "not a SNOMED CT identifier (check digit wrong: a digit mistyped or lost?)", "skipped"),
        ("emis_events_2.csv", "line 8", "", "4", "row has 4 fields; the header has 5", "skipped"),
        ("emis_events_1.csv", "line 9", "patient_id", "9999", "unknown patient: no patient with this reference in the input", "skipped"),
        ("emis_events_2.csv", "line 4", "patient_id", "1003",
         "the patient was not converted (see the patient's row in rejects.csv)", "skipped"),
    ]  # fmt: skip
    assert report.read["patients"] == 5 and report.converted["patients"] == 3
    assert report.read["events"] == 11 and report.converted["events"] == 5


def test_systmone_shape_term_code_and_episodes(tmp_path):
    out = tmp_path / "out"
    import_csv(
        load_map(MAPS / "systmone-report-export.toml"),
        [FIXTURES / "s1_patients.csv"],
        [FIXTURES / "s1_events.csv"],
        out,
        extract_date=EXTRACT,
    )
    events = {
        (e["patient_id"], e["code"], e["date"].isoformat(), e["episode"])
        for e in _rows(out / "events.parquet")
    }
    assert events == {("S1", "399068003", "2022-11-15", "first"), ("S1", "720006006", "2023-10-01", None)}
    assert [r[1:5] for r in _rejects(out)] == [
        ("line 4", "code", "Small cell carcinoma of lung (disorder)", "'(disorder)' is a SNOMED CT semantic tag, not a code"),
        ("line 5", "episode", "Flare", "episode must be one of first, new, review, ended, changed, evolved, flare-up"),
    ]  # fmt: skip
    # The converted files run as they are.
    result = api.run(out / "patients.parquet", out / "events.parquet", year="2023-24", today=EXTRACT)
    assert result.load.rows_rejected == 0
    assert {(r["patient_id"], r["indicator"], r["outcome"]) for r in result.outcomes.to_pylist()} >= {
        ("S1", "CAN004", "met")
    }


def test_cli(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["import", "csv", "--map", str(MAPS / "systmone-report-export.toml")]
    args += ["--patients", str(FIXTURES / "s1_patients.csv"), "--events", str(FIXTURES / "s1_events.csv")]
    assert main([*args, "--out", str(out), "--extract-date", "2025-11-15"]) == 0
    printed = capsys.readouterr().out
    assert "events: 4 read, 2 converted" in printed and "S1" not in printed
    assert (out / "patients.parquet").exists() and (out / "import-summary.json").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("[patients.columns]\npatient_id='a'\n[events.columns]\npatient_id='a'\ncode='c'\ndate='d'\n",
         "patients.columns.practice_code: required: name the export's column for it"),
        ("[patients.columns]\npatient_id='a'\npractice_code='p'\ndate_of_birth='b'\nsex='s'\nregistration_start='r'\n"
         "ethnic='e'\n", "patients.columns.ethnic: not a data contract column"),
        ("[patients]\ncolumns={}\n[events]\ncode_format='code only'\n", "patients.columns.patient_id: required"),
        ("[file]\ndelimiter=';;'\n", "file.delimiter: expected one character"),
        ("[patients\n", "TOML: "),
    ],
)  # fmt: skip
def test_broken_maps(tmp_path, text, message):
    path = tmp_path / "map.toml"
    path.write_text(text)
    with pytest.raises(RuleFileError) as info:
        load_map(path)
    assert str(info.value).startswith(f"{path}: {message}")


def test_missing_column_names_the_file_line_and_map(tmp_path, capsys):
    patients = tmp_path / "p.csv"
    patients.write_text("Patient ID,NHS number,Date of birth\n1,,01/01/1950\n")
    args = ["import", "csv", "--map", str(MAPS / "systmone-report-export.toml"), "--patients", str(patients)]
    assert main([*args, "--events", str(FIXTURES / "s1_events.csv"), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {patients}: line 1: column 'Registered practice code' (patients practice_code in "
        "systmone-report-export.toml) is missing (found: Patient ID, NHS number, Date of birth)"
    )
    assert not (tmp_path / "o" / "patients.parquet").exists()


def test_not_utf8(tmp_path):
    patients = tmp_path / "p.csv"
    patients.write_bytes((FIXTURES / "s1_patients.csv").read_bytes().replace(b"S2", b"S\xe92"))
    with pytest.raises(InputError, match="not utf-8-sig text .* set \\[file\\] encoding in the map"):
        import_csv(
            load_map(MAPS / "systmone-report-export.toml"), [patients], [FIXTURES / "s1_events.csv"], tmp_path
        )
