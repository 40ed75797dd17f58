"""Blank lines in a CSV do not shift the rows that rejects.csv names (issue 15).

The readers skip blank lines, so a record's position among the records is not its row in the file; a
person opening the file in a spreadsheet or an editor must find the row that was named.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from qof_cancer.cli import main
from qof_cancer.inputs.sources import _blank_lines

PATIENT_HEADER = "patient_id,practice_code,date_of_birth,sex,registration_start"
EVENT_HEADER = "patient_id,code,date,episode"


def _run(patients: Path, events: Path, out: Path) -> list[tuple[str, str, str, str]]:
    code = main(
        ["run", "--patients", str(patients), "--events", str(events), "--year", "2023-24", "--out", str(out)]
    )
    assert code == 0
    with (out / "rejects.csv").open() as fh:
        return [(Path(r["file"]).name, r["row"], r["column"], r["value"]) for r in csv.DictReader(fh)]


def _line_of(path: Path, needle: str) -> str:
    """The 1-based line of the file that holds `needle`: what a person would look for."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as fh:
        return next(str(n) for n, line in enumerate(fh, start=1) if needle in line)


def test_a_bad_value_after_blank_lines_is_reported_at_its_row_in_the_file(tmp_path):
    patients = tmp_path / "patients.csv"
    patients.write_text(
        f"{PATIENT_HEADER}\np1,A00001,1950-01-01,F,2000-01-01\n\n\np2,A00001,1950-02-30,F,2000-01-01\n"
        "\np3,A00001,1950-01-01,X,2000-01-01\n"
    )
    events = tmp_path / "events.csv"
    events.write_text(
        f"{EVENT_HEADER}\n\np1,720006006,2023-05-01,\n\n\n\np1,720006006,2023-13-01,\n"
        'p1,720006006,2023-06-01,"a note\n\nover lines"\n\np1,720006006,2023-07-01,weekly\n\n'
    )
    rejects = _run(patients, events, tmp_path / "out")
    assert sorted(rejects) == sorted(
        [
            ("patients.csv", _line_of(patients, "1950-02-30"), "date_of_birth", "1950-02-30"),
            ("patients.csv", _line_of(patients, ",X,"), "sex", "X"),
            ("events.csv", _line_of(events, "2023-13-01"), "date", "2023-13-01"),
            # A quoted value that spans lines is one row, as a spreadsheet shows it; the blank line inside
            # it is not a row of its own.
            ("events.csv", "8", "episode", "a note\n\nover lines"),
            # Line 12 of the file, row 10 of the spreadsheet: the quoted value above takes three lines and
            # one row, and the blank line after it is a row.
            ("events.csv", "10", "episode", "weekly"),
        ]
    )
    assert _line_of(events, "weekly") == "12"


def test_blank_lines_in_a_compressed_csv_are_counted_too(tmp_path):
    patients = tmp_path / "patients.csv"
    patients.write_text(f"{PATIENT_HEADER}\np1,A00001,1950-01-01,F,2000-01-01\n")
    events = tmp_path / "events.csv.gz"
    with gzip.open(events, "wt") as fh:
        fh.write(f"{EVENT_HEADER}\np1,720006006,2023-05-01,\n\n\np1,720006006,2023-05-01,weekly\n")
    assert _run(patients, events, tmp_path / "out") == [
        ("events.csv.gz", _line_of(events, "weekly"), "episode", "weekly")
    ]


def test_a_file_without_blank_lines_between_records_needs_no_renumbering(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,x\n2,y\n")
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("a,b\r\n1,x\r\n2,y\r\n\r\n\r\n")
    assert _blank_lines(plain) == []
    assert _blank_lines(trailing) == []


def test_blank_lines_are_found_across_the_reading_chunks(tmp_path, monkeypatch):
    import qof_cancer.inputs.sources as sources

    monkeypatch.setattr(sources, "_CHUNK", 7)  # the blank line straddles two reads
    path = tmp_path / "events.csv"
    path.write_text("a,b\n1,x\n\n2,y\n3,z\n\n\n4,w\n")
    # (first record, last record + 1, blank lines before each of them)
    assert _blank_lines(path) == [(1, 3, 1), (3, 4, 3)]
