"""No value in the data can become a spreadsheet formula or name a file outside the output folder."""

from __future__ import annotations

import csv
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qof_cancer.cli import main
from qof_cancer.sanitise import safe_cell, safe_file_name
from tests.helpers import write_inputs
from tests.worklist.conftest import patient
from tests.worklist.test_outputs import _with_contacts

EVIL = '=HYPERLINK("http://evil.example","x")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+A1", "'+A1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("+44 7700 900123", "+44 7700 900123"),  # a phone number cannot run: bulk SMS tools read it
        ("+44 (0)1632 960000", "+44 (0)1632 960000"),
        ("-3.5", "-3.5"),
        ("A81001", "A81001"),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("code", ["../../x", "/tmp/x/ABS", "..", "", "A 1", "a/b", "é", "-rf", "x" * 300])
def test_safe_file_name_never_leaves_the_folder(code, tmp_path):
    name = safe_file_name(code, "practice")
    target = (tmp_path / f"{name}-sms.csv").resolve()
    assert target.parent == tmp_path.resolve()
    assert "/" not in name and not name.startswith((".", "-"))
    assert len(name) <= 64


def test_two_unsafe_codes_never_share_a_file():
    assert safe_file_name("../x") != safe_file_name("..x")
    assert safe_file_name("A81001") == "A81001"


def _evil_inputs(folder: Path, practice: str, days_ago: tuple[int, int] | None = None) -> tuple[Path, Path]:
    """Two patients; diagnosed in 2023 by default, or the given numbers of days before today."""
    if days_ago is None:
        dates = ("2023-10-15", "2023-11-01")
    else:
        dates = tuple((date.today() - timedelta(days=n)).isoformat() for n in days_ago)
    patients = [
        patient([["CAN_COD", dates[0]]], patient_id=EVIL, practice=practice),
        patient([["CAN_COD", dates[1]]], patient_id="ok", practice="A00001"),
    ]
    ppath, epath = write_inputs(folder, patients)
    _with_contacts(
        ppath,
        {EVIL: ("9990000018", "+44 7700 900123", "@evil"), "ok": ("9990000026", "07700 900456", "")},
    )
    return ppath, epath


@pytest.mark.parametrize("practice", ["../../escaped", "/tmp/qof-escape-test/ABS"])
def test_a_run_with_hostile_values_writes_no_formula_and_nothing_outside(tmp_path, practice):
    # Diagnosed weeks ago and run today, so support contacts are due and messages are written.
    ppath, epath = _evil_inputs(tmp_path / "in", practice, days_ago=(48, 31))
    details = tmp_path / "in" / "details.csv"
    with details.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["practice_code", "name", "phone"],
                [practice, "Evil", "01632 960001"],
                ["A00001", "Good", "01632 960002"],
            ]
        )
    out = tmp_path / "deep" / "out"
    code = main(
        ["run", "--patients", str(ppath), "--events", str(epath), "--practice-details", str(details)]
        + ["--out", str(out)]
    )
    assert code == 0
    assert not Path("/tmp/qof-escape-test").exists()
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "deep" / "escaped").exists()
    written = sorted(
        p for p in tmp_path.rglob("*") if p.is_file() and "in" not in p.relative_to(tmp_path).parts
    )
    assert (out / "messages").is_dir(), "no messages written: the test would prove nothing about them"
    assert all(out in p.parents for p in written)
    messages = list((out / "messages").iterdir())
    assert len(messages) >= 2 and all(p.parent == out / "messages" for p in messages)
    seen_evil = 0
    for path in written:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as fh:
                for row in csv.reader(fh):
                    for cell in row:
                        assert not (cell.startswith(TRIGGERS) and not cell.startswith("+44")), (path, cell)
                        seen_evil += EVIL in cell
    assert seen_evil  # the value is kept, as text
    book = load_workbook(out / "worklist.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_outputs_are_private(tmp_path):
    ppath, epath = _evil_inputs(tmp_path / "in", "A00002")
    out = tmp_path / "new" / "out"
    assert main(["run", "--patients", str(ppath), "--events", str(epath), "--year", "2023-24",
                 "--as-of", "2023-12-01", "--out", str(out)]) == 0  # fmt: skip
    paths = [out, *out.rglob("*")]
    assert len(paths) > 8
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
