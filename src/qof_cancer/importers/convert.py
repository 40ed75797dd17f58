"""One call per source format: read, stage, finalise, and write the summary. Used by `qof-cancer import`.

Writes into `out`: patients.parquet and events.parquet (the data contract), rejects.csv (when anything
was left out) and import-summary.json (counts). Each file is written beside its target and renamed into
place; the staging files live in a hidden work folder inside `out`, removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from qof_cancer.errors import InputError
from qof_cancer.importers.csv_map import ExportMap
from qof_cancer.importers.csv_read import CsvReader
from qof_cancer.importers.fhir import FhirConverter, FhirOptions
from qof_cancer.importers.fhir_read import Located, find_files, read_resources
from qof_cancer.importers.report import ImportReport, RejectLog, atomic_target
from qof_cancer.importers.staging import Stage, finalise

__all__ = ["import_fhir", "import_csv", "Progress"]

# progress(bytes_just_read, total_bytes): for a progress bar; total is known before reading starts.
Progress = Callable[[int, int], None]


@contextmanager
def _session(out: Path) -> Iterator[tuple[ImportReport, RejectLog, Stage]]:
    out.mkdir(parents=True, exist_ok=True)
    # A killed import leaves its staging rows (patient-level) and half-written files: remove them first.
    for leftover in out.iterdir():
        if leftover.name.startswith(".import-") and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name.startswith(".") and leftover.name.endswith(".tmp") and leftover.is_file():
            leftover.unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=out))
    report = ImportReport()
    rejects = RejectLog(out / "rejects.csv", report)
    stage = Stage(work)
    try:
        yield report, rejects, stage
    except BaseException:
        stage.abort()
        rejects.abort()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _finish(out: Path, report: ImportReport, rejects: RejectLog, source: str) -> ImportReport:
    path = rejects.close()
    if path:
        report.outputs.append(path)
    summary = out / "import-summary.json"
    tmp = atomic_target(summary)
    tmp.write_text(json.dumps({"source": source, **report.as_dict()}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, summary)
    report.outputs.append(summary)
    if report.patients_written == 0:
        reasons = f"; the reasons are in {path}" if path else ""
        raise InputError(f"{out}: no patients could be converted{reasons}")
    return report


def import_fhir(
    paths: list[Path], out: Path, options: FhirOptions | None = None, progress: Progress | None = None
) -> ImportReport:
    """FHIR R4 Bundles, resources or NDJSON (files or folders) -> the data contract in `out`."""
    files = find_files([Path(p) for p in paths])
    total = sum(f.stat().st_size for f in files)
    advance = (lambda n: progress(n, total)) if progress else (lambda _n: None)
    with _session(Path(out)) as (report, rejects, stage):
        report.files = len(files)
        converter = FhirConverter(stage, rejects, report, options or FhirOptions())
        for item in read_resources(files, advance):
            if isinstance(item, Located):
                converter.convert(item)
            else:
                report.read["(unreadable)"] += 1
                rejects.add(item.file, item.position, "(unreadable)", "", item.value, item.reason)
        converter.resolve_episodes()
        paths_written = finalise(stage, Path(out), rejects, report, converter.complete)
        report.outputs.extend(paths_written)
        return _finish(Path(out), report, rejects, "fhir")


def import_csv(
    export_map: ExportMap,
    patients: list[Path],
    events: list[Path],
    out: Path,
    progress: Progress | None = None,
    extract_date: date | None = None,
) -> ImportReport:
    """GP system report exports (CSV), described by a map file -> the data contract in `out`.

    `extract_date` (default today) is when the export was taken: two-digit years are put in the latest
    century that does not make the date later than it."""
    files = [Path(p) for p in [*patients, *events]]
    for f in files:
        if not f.is_file():
            raise InputError(f"{f}: no such file")
    total = sum(f.stat().st_size for f in files)
    advance = (lambda n: progress(n, total)) if progress else (lambda _n: None)
    with _session(Path(out)) as (report, rejects, stage):
        report.files = len(files)
        reader = CsvReader(export_map, stage, rejects, report, extract_date or date.today())
        for path in patients:
            reader.read_patients(Path(path), advance)
        for path in events:
            reader.read_events(Path(path), advance)
        paths_written = finalise(stage, Path(out), rejects, report, subject_field="patient_id")
        report.outputs.extend(paths_written)
        return _finish(Path(out), report, rejects, "csv")
