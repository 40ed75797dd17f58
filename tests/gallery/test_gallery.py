"""The bad-input gallery: one folder per case under `cases/<entry point>/`, its input files beside an
`expect.yaml` (the command, its exit code, the words of its one-line message, and for a run that goes
on, the reason written in rejects.csv). Every case also checks that no traceback is printed, that
nothing is written outside the case's folder, and that no patient value of the inputs reaches the
terminal.

Add a case by adding a folder; `pytest tests/gallery -k <name>` runs one.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from qof_cancer.cli import main

CASES = Path(__file__).parent / "cases"
ALL = sorted(p.parent for p in CASES.glob("*/*/expect.yaml"))
# Values that appear in inputs but are not patient data (codes, practice and PCN codes, column names).
NOT_PATIENT = {"A81001", "U00001", "254837009", "first", "female", "male"}
# Columns naming an organisation, printed in the run's summary on purpose.
ORGANISATION_COLUMNS = {"practice_code", "pcn_code", "organisation code"}


def _patient_values(folder: Path) -> set[str]:
    """Every patient-level value in the case's inputs: CSV cells of patients/events files (not the
    header) and the string and number leaves of FHIR resources, 5 characters or more."""
    values: set[str] = set()
    for path in folder.rglob("*"):
        if not path.is_file() or path.name == "expect.yaml":
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if path.suffix == ".csv" and ("patient" in text[:300].lower()):
            rows = list(csv.reader(text.splitlines()))
            # the data start after the header: the first row naming a patient column
            start = next((i + 1 for i, row in enumerate(rows) if any("patient" in c.lower() for c in row)), 1)
            header = [c.strip().lower() for c in rows[start - 1]] if start > 0 else []
            for row in rows[start:]:
                values |= {
                    cell.strip()
                    for i, cell in enumerate(row)
                    if i >= len(header) or header[i] not in ORGANISATION_COLUMNS
                }
        elif path.suffix == ".ndjson":
            for line in text.splitlines():
                values |= set(re.findall(r'"value"\s*:\s*"([^"]+)"', line))
                values |= set(re.findall(r'"(?:id|birthDate)"\s*:\s*"([^"]+)"', line))
    return {
        v for v in values if len(v) >= 5 and v not in NOT_PATIENT and not v.startswith(("http", "Run on"))
    }


def _outside(root: Path) -> set[str]:
    return {str(p) for p in root.iterdir()}


@pytest.mark.parametrize("case", ALL, ids=[f"{c.parent.name}/{c.name}" for c in ALL])
def test_gallery_case(case, tmp_path, monkeypatch, capsys):
    expect = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    work = tmp_path / "case"
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    before = _outside(tmp_path)
    tmp_before = _outside(Path("/tmp"))
    code = main(expect["args"])
    out, err = capsys.readouterr()
    assert code == expect["exit"], err
    assert "Traceback" not in err and "Aborted" not in err
    if code == 2:
        assert err.strip().startswith("error: ") and "\n" not in err.strip(), err
    if "message" in expect:
        assert expect["message"] in err, err
    if "rejects" in expect:
        rejects = [p for p in (work / "out").glob("rejects.csv")]
        assert rejects, "no rejects.csv"
        assert expect["rejects"] in rejects[0].read_text(encoding="utf-8")
    # nothing written outside the case's own folder
    assert _outside(tmp_path) == before
    assert not {p for p in _outside(Path("/tmp")) - tmp_before if "qof-gallery" in p or "escaped" in p}
    assert not (tmp_path / "escaped").exists()
    # no patient value in anything printed
    printed = (out + err).lower()
    leaked = [v for v in _patient_values(case) if v.lower() in printed]
    assert not leaked, leaked


def test_every_entry_point_has_cases():
    assert {c.parent.name for c in ALL} >= {"run", "import-fhir", "import-csv", "codes-import", "screening"}


def test_the_gallery_values_grep_finds_a_leak(tmp_path):
    """The leak check itself can fail: a printed patient id is found."""
    (tmp_path / "patients.csv").write_text("patient_id,nhs_number\npat-ALPHA-001,9434765919\n")
    (tmp_path / "in.ndjson").write_text(json.dumps({"id": "pat-CHARLIE-3", "birthDate": "1951-03-14"}) + "\n")
    assert {"pat-ALPHA-001", "9434765919", "pat-CHARLIE-3", "1951-03-14"} <= _patient_values(tmp_path)
