"""Every command's outputs are owner-only and whole: `import fhir`, `import csv` and the messages folder
are written like `run`'s folder (0600 files, 0700 folders, staged and moved in at the end)."""

from __future__ import annotations

import os
import resource
import signal
import stat
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from qof_cancer.cli import main
from qof_cancer.importers import import_fhir
from qof_cancer.outputs.messages import write_messages
from qof_cancer.worklist.messages import load_messages

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures"
MAPS = Path(__file__).resolve().parents[2] / "docs" / "import-maps"
FHIR = [str(FIXTURES / n) for n in ("Patient.ndjson", "Condition.ndjson", "Observation.ndjson")]
CSV = ["--map", str(MAPS / "systmone-report-export.toml"), "--extract-date", "2025-11-15"]
CSV += ["--patients", str(FIXTURES / "s1_patients.csv"), "--events", str(FIXTURES / "s1_events.csv")]


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def everyone_can_read():
    """The usual umask (022), under which a plain open() or mkdir() gives every user read access."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("command", [["import", "fhir", *FHIR], ["import", "csv", *CSV]], ids=["fhir", "csv"])
def test_import_outputs_are_readable_by_their_owner_only(tmp_path, everyone_can_read, command):
    out = tmp_path / "new" / "imported"
    assert main([*command, "--out", str(out)]) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"patients.parquet", "events.parquet", "import-summary.json"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert _mode(out) == 0o700 and _mode(out.parent) == 0o700
    assert not [p for p in out.iterdir() if p.name.startswith((".import-", ".staging-"))]


def test_an_import_stopped_part_way_leaves_the_previous_import_whole(tmp_path):
    """Ctrl-C while the files are read (the progress callback is where the terminal's bar runs)."""
    out = tmp_path / "out"
    assert main(["import", "fhir", FHIR[0], "--out", str(out)]) == 0
    before = _listing(out)

    def interrupt(_read: int, _total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_fhir([Path(p) for p in FHIR], out, progress=interrupt)
    assert _listing(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith((".import-", ".staging-"))]


def test_a_second_import_replaces_every_file_of_the_first(tmp_path):
    """An import with rejects, then one without: no rejects.csv of the first is left to mislead."""
    out = tmp_path / "out"
    assert main(["import", "fhir", *FHIR, "--out", str(out)]) == 0
    assert (out / "rejects.csv").exists()
    (out / "my-notes.txt").write_text("mine\n")
    one = tmp_path / "one-patient.ndjson"
    one.write_text(Path(FHIR[0]).read_text().splitlines()[0] + "\n")
    assert main(["import", "fhir", str(one), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "events.parquet",
        "import-summary.json",
        "my-notes.txt",
        "patients.parquet",
    ]


def _worklist(rows_a: int, rows_b: int) -> pa.Table:
    def row(practice: str, i: int) -> dict:
        return {
            "practice_code": practice,
            "patient_id": f"{practice}-{i}",
            "nhs_number": "9990000018",
            "indicator": "CAN005",
            "action": "support contact",
            "message": "support",
            "send_now": True,
            "step_by": date(2024, 1, 10),
            "mobile_phone": "07700900123",
            "mobile_status": "mobile",
            "mobile_usable": True,
            "record_cluster": "CANPCSUPP_COD",
            "record_code": "LOCAL-CANPCSUPP-01",
        }

    return pa.Table.from_pylist(
        [row("A00001", i) for i in range(rows_a)] + [row("B00002", i) for i in range(rows_b)]
    )


MESSAGES_CSV = (
    "practice_code,name,phone\nA00001,Riverside Surgery,01632 960111\nB00002,Hill Surgery,01632 960222\n"
)


def test_messages_are_swapped_in_whole_and_a_failure_midway_leaves_the_last_ones(tmp_path, everyone_can_read):
    details = tmp_path / "details.csv"
    details.write_text(MESSAGES_CSV)
    messages = load_messages(practice_details=details)
    out = tmp_path / "out"
    write_messages(_worklist(1, 1), out, messages, date(2024, 3, 31), date(2024, 1, 1))
    folder = out / "messages"
    (folder / "read-me.txt").write_text("the practice's own note\n")
    before = _listing(folder)
    assert sorted(before) == ["A00001-sms.csv", "B00002-sms.csv", "read-me.txt"]
    assert _mode(folder) == 0o700 and _mode(folder / "A00001-sms.csv") == 0o600

    # A's texts change, and the disk fills while the second practice's file is written (a file-size limit is a real one).
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limit[1]))
    try:
        with pytest.raises(OSError):
            write_messages(_worklist(2, 500), out, messages, date(2024, 3, 31), date(2024, 1, 1))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert _listing(folder) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]

    # A run with one practice only: the other's texts go (never sent twice), the note stays.
    files = write_messages(_worklist(1, 0), out, messages, date(2024, 3, 31), date(2024, 1, 1))
    assert files.written == [folder / "A00001-sms.csv"]
    assert sorted(_listing(folder)) == ["A00001-sms.csv", "read-me.txt"]
