"""A run's folder holds one run: a killed run leaves the last one whole, and its leftovers go next time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from qof_cancer import api
from qof_cancer.folders import MANIFEST, staged_run_folder
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_write_leaves_the_last_run_untouched(tmp_path):
    out = tmp_path / "out"
    with staged_run_folder(out) as staging:
        (staging / "a.csv").write_text("one\n")
        (staging / "b.csv").write_text("one\n")
    before = _listing(out)
    try:
        with staged_run_folder(out) as staging:
            (staging / "a.csv").write_text("two\n")
            raise RuntimeError("killed half way")
    except RuntimeError:
        pass
    assert _listing(out) == before


def test_files_an_earlier_run_wrote_are_removed_and_others_kept(tmp_path):
    out = tmp_path / "out"
    with staged_run_folder(out) as staging:
        (staging / "a.csv").write_text("one\n")
        (staging / "feature.csv").write_text("one\n")
    (out / "my-notes.txt").write_text("mine\n")
    with staged_run_folder(out) as staging:
        (staging / "a.csv").write_text("two\n")
    assert sorted(_listing(out)) == [MANIFEST, "a.csv", "my-notes.txt"]


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".staging-abc").mkdir()
    (out / ".staging-abc" / "outcomes.csv").write_text("half\n")
    (out / ".outcomes.csv.x1y2.tmp").write_text("half\n")
    with staged_run_folder(out) as staging:
        (staging / "outcomes.csv").write_text("whole\n")
    assert sorted(_listing(out)) == [MANIFEST, "outcomes.csv"]


def test_kill_9_during_a_run_leaves_the_previous_run_whole(tmp_path):
    write_synthetic(tmp_path / "in", "csv", 1, 3000, 4, DEFAULT_AS_OF, SynthParams())
    patients, events = tmp_path / "in" / "patients.csv", tmp_path / "in" / "events.csv"
    out = tmp_path / "out"
    api.run(patients, events, year="2025-26", as_of=DEFAULT_AS_OF, today=DEFAULT_AS_OF, out=out)
    before = _listing(out)
    script = (
        "import sys, datetime; from qof_cancer import api; "
        "api.run(sys.argv[1], sys.argv[2], year='2025-26', as_of=datetime.date(2025, 11, 15), "
        "today=datetime.date(2025, 11, 15), out=sys.argv[3])"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(patients), str(events), str(out)])
    deadline = time.time() + 60
    while time.time() < deadline and not any(out.glob(".staging-*/*")):
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    after = {k: v for k, v in _listing(out).items() if not k.startswith(".staging-")}
    assert after == before  # nothing moved in: the last run is whole
    api.run(patients, events, year="2025-26", as_of=DEFAULT_AS_OF, today=DEFAULT_AS_OF, out=out)
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-") or p.name.endswith(".tmp")]


def test_an_import_removes_what_a_killed_import_left(tmp_path):
    from qof_cancer.cli import main

    out = tmp_path / "out"
    (out / ".import-dead").mkdir(parents=True)
    (out / ".import-dead" / "patients.parquet").write_bytes(b"patient rows")
    (out / ".rejects.csv.x1.tmp").write_text("half\n")
    fixtures = Path(__file__).resolve().parents[1] / "importers" / "fixtures"
    assert main(["import", "fhir", str(fixtures / "Patient.ndjson"), "--out", str(out)]) in (0, 2)
    assert not [p for p in out.iterdir() if p.name.startswith(".import-") or p.name.endswith(".tmp")]
