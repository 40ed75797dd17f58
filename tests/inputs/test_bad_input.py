"""A gallery of broken inputs, each with its exact message (data contract, 'Bad input')."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qof_cancer.cli import main

GOOD_PATIENT = "p1,A00001,1950-01-01,F,2000-01-01,,,U00001"
PATIENT_HEADER = (
    "patient_id,practice_code,date_of_birth,sex,registration_start,registration_end,date_of_death,pcn_code"
)
EVENT_HEADER = "patient_id,code,date,episode"
GOOD_EVENT = "p1,720006006,2023-05-01,"


def _write(
    folder: Path, patients: list[str], events: list[str], pheader=PATIENT_HEADER, eheader=EVENT_HEADER
):
    (folder / "patients.csv").write_text("\n".join([pheader, *patients]) + "\n")
    (folder / "events.csv").write_text("\n".join([eheader, *events]) + "\n")
    return folder / "patients.csv", folder / "events.csv"


def _run(folder: Path, *extra: str) -> int:
    return main(
        [
            "run",
            "--patients",
            str(folder / "patients.csv"),
            "--events",
            str(folder / "events.csv"),
            "--year",
            "2023-24",
            "--out",
            str(folder / "out"),
            *extra,
        ]
    )


def _rejects(folder: Path) -> list[tuple[str, str, str, str, str]]:
    with (folder / "out" / "rejects.csv").open() as fh:
        return [
            (Path(r["file"]).name, r["row"], r["column"], r["value"], r["reason"]) for r in csv.DictReader(fh)
        ]


ROW_CASES = [
    (
        "unparseable date",
        ["p2,A00001,1950-02-30,F,2000-01-01,,,"],
        [],
        ("patients.csv", "3", "date_of_birth", "1950-02-30", "not a date (expected YYYY-MM-DD)"),
    ),
    (
        "UK-style date",
        ["p2,A00001,01/02/1950,F,2000-01-01,,,"],
        [],
        ("patients.csv", "3", "date_of_birth", "01/02/1950", "not a date (expected YYYY-MM-DD)"),
    ),
    (
        "bad sex",
        ["p2,A00001,1950-01-01,X,2000-01-01,,,"],
        [],
        ("patients.csv", "3", "sex", "X", "sex must be F, M, I or U"),
    ),
    (
        "registration ends before it starts",
        ["p2,A00001,1950-01-01,F,2000-01-01,1999-01-01,,"],
        [],
        ("patients.csv", "3", "registration_end", "1999-01-01", "registration ends before it starts"),
    ),
    (
        "registration in the future",
        ["p2,A00001,1950-01-01,F,2099-01-02,,,"],
        [],
        ("patients.csv", "3", "registration_start", "2099-01-02", "date is in the future"),
    ),
    (
        "registered before birth",
        ["p2,A00001,1950-01-01,F,1949-01-02,,,"],
        [],
        ("patients.csv", "3", "registration_start", "1949-01-02", "date is before the date of birth"),
    ),
    (
        "event for an unknown patient",
        [],
        ["p9,720006006,2023-05-01,"],
        ("events.csv", "3", "patient_id", "p9", "unknown patient: not in the patients file"),
    ),
    (
        "event date in the future",
        [],
        ["p1,720006006,2099-05-01,"],
        ("events.csv", "3", "date", "2099-05-01", "date is in the future"),
    ),
    (
        "event before birth",
        [],
        ["p1,720006006,1940-05-01,"],
        ("events.csv", "3", "date", "1940-05-01", "date is before the patient's date of birth"),
    ),
    (
        "SNOMED id failing its check digit",
        [],
        ["p1,720006007,2023-05-01,"],
        (
            "events.csv",
            "3",
            "code",
            "720006007",
            "not a SNOMED CT identifier (check digit wrong: a digit mistyped or lost?)",
        ),
    ),
    (
        "SNOMED id too short",
        [],
        ["p1,12345,2023-05-01,"],
        (
            "events.csv",
            "3",
            "code",
            "12345",
            "not a SNOMED CT identifier (5 digits; SNOMED CT ids have 6 to 18)",
        ),
    ),
    (
        "code with a space",
        [],
        ["p1,AB 12,2023-05-01,"],
        ("events.csv", "3", "code", "AB 12", "code has spaces or characters that no code system uses"),
    ),
    (
        "unknown episode",
        [],
        ["p1,720006006,2023-05-01,sometimes"],
        (
            "events.csv",
            "3",
            "episode",
            "sometimes",
            "episode must be one of first, new, review, ended, changed, evolved, flare-up",
        ),
    ),
    ("missing event date", [], ["p1,720006006,,"], ("events.csv", "3", "date", "", "required value missing")),
]


@pytest.mark.parametrize("title,patients,events,expected", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_row_problem_is_rejected_with_file_row_column_value(tmp_path, title, patients, events, expected):
    _write(tmp_path, [GOOD_PATIENT, *patients], [GOOD_EVENT, *events])
    assert _run(tmp_path) == 0
    assert _rejects(tmp_path) == [expected]


def test_duplicate_patient_id_rejects_every_copy_and_their_events(tmp_path):
    _write(
        tmp_path,
        [GOOD_PATIENT, "p2,A00001,1950-01-01,F,2000-01-01,,,", "p2,A00001,1960-01-01,M,2001-01-01,,,"],
        [GOOD_EVENT, "p2,720006006,2023-05-01,"],
    )
    assert _run(tmp_path) == 0
    assert _rejects(tmp_path) == [
        ("events.csv", "3", "patient_id", "p2", "the patient's row in the patients file was rejected"),
        ("patients.csv", "3", "patient_id", "p2", "patient_id appears more than once in the patients file"),
        ("patients.csv", "4", "patient_id", "p2", "patient_id appears more than once in the patients file"),
    ]


def test_malformed_nhs_number_is_reported_and_ignored_not_the_patient(tmp_path):
    header = PATIENT_HEADER + ",nhs_number"
    _write(
        tmp_path,
        [GOOD_PATIENT + ",9434765919", "p2,A00001,1950-01-01,F,2000-01-01,,,U00001,9434765918"],
        [GOOD_EVENT],
        pheader=header,
    )
    assert _run(tmp_path) == 0
    assert _rejects(tmp_path) == [
        (
            "patients.csv",
            "3",
            "nhs_number",
            "9434765918",
            "not a valid NHS number (10 digits with a modulus-11 check digit)",
        )
    ]
    with (tmp_path / "out" / "rejects.csv").open() as fh:
        assert next(csv.DictReader(fh))["action"] == "value ignored"


def test_no_rejects_file_when_nothing_was_rejected(tmp_path):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "rejects.csv").write_text("stale\n")
    assert _run(tmp_path) == 0
    assert not (tmp_path / "out" / "rejects.csv").exists()


FATAL_CASES = [
    (
        "missing file",
        lambda d: (d / "events.csv").write_text(EVENT_HEADER + "\n"),
        "error: {d}/patients.csv: no such file",
    ),
    (
        "required column absent",
        lambda d: _write(
            d, ["p1,A00001,1950-01-01,F"], [GOOD_EVENT], pheader="patient_id,practice_code,date_of_birth,sex"
        ),
        "error: {d}/patients.csv: row 1: required column 'registration_start' is missing "
        "(found: patient_id, practice_code, date_of_birth, sex)",
    ),
    (
        "events column absent",
        lambda d: _write(d, [GOOD_PATIENT], ["p1,720006006"], eheader="patient_id,code"),
        "error: {d}/events.csv: row 1: required column 'date' is missing (found: patient_id, code)",
    ),
    (
        "no patients",
        lambda d: _write(d, [], []),
        "error: {d}/patients.csv: no usable patients (0 row(s) read, all rejected or none present)",
    ),
    (
        "every patient rejected",
        lambda d: _write(d, ["p1,A00001,1950-01-01,Q,2000-01-01,,,"], []),
        "error: {d}/patients.csv: no usable patients (1 row(s) read, all rejected or none present)",
    ),
]


@pytest.mark.parametrize("title,make,message", FATAL_CASES, ids=[c[0] for c in FATAL_CASES])
def test_run_stops_with_one_line_and_exit_2(tmp_path, capsys, title, make, message):
    make(tmp_path)
    assert _run(tmp_path) == 2
    err = capsys.readouterr().err
    assert err.strip() == message.format(d=tmp_path)
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "outcomes.csv").exists()


def test_empty_required_cluster_stops_the_run(tmp_path, capsys):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "MDRV_COD.csv").write_text("code,term\n")
    assert _run(tmp_path, "--codes", str(codes)) == 2
    assert capsys.readouterr().err.strip() == (
        "error: cluster MDRV_COD is empty or missing: put MDRV_COD.csv (a 'code' column) in the --codes folder, "
        "or build the folder with 'qof-cancer codes import RELEASE --out DIR'"
    )


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["run", "--patients", "x.csv"]) == 2
    assert main(["run", "--patients", "a", "--events", "b", "--as-of", "31/03/2024"]) == 2
    assert "--as-of '31/03/2024': expected a date YYYY-MM-DD" in capsys.readouterr().err


def test_unknown_file_type(tmp_path, capsys):
    _write(tmp_path, [GOOD_PATIENT], [GOOD_EVENT])
    (tmp_path / "patients.xlsx").write_text("x")
    code = main(
        ["run", "--patients", str(tmp_path / "patients.xlsx"), "--events", str(tmp_path / "events.csv")]
    )
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {tmp_path}/patients.xlsx: unknown file type; give a .csv or .parquet file"
    )
