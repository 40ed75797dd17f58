"""One call per source format: read, stage, finalise, and write the summary. Used by `qof-cancer import`.

Writes into `out`: patients.parquet and events.parquet (the data contract), rejects.csv (when anything
was left out) and import-summary.json (counts), readable by their owner only. They are written into a
staging folder and moved in together at the end (`folders.staged_run_folder`, as `run` does), so an
import that fails or is killed part way leaves the previous import's files whole. The staged rows live in
a hidden work folder inside `out`, removed at the end (or by the next import, after a kill).
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
from qof_cancer.folders import staged_run_folder
from qof_cancer.importers.csv_map import ExportMap
from qof_cancer.importers.csv_read import CsvReader
from qof_cancer.importers.fhir import FhirConverter, FhirOptions
from qof_cancer.importers.fhir_read import Located, find_files, read_resources
from qof_cancer.importers.report import ImportReport, RejectLog, atomic_target
from qof_cancer.importers.staging import Stage, finalise

__all__ = ["import_fhir", "import_csv", "Progress"]

# progress(bytes_just_read, total_bytes): for a progress bar; total is known before reading starts.
Progress = Callable[[int, int], None]


# The files an import writes, the tool's even in a folder from before there was a manifest.
_IMPORT_FILES = ("patients.parquet", "events.parquet", "rejects.csv", "import-summary.json")


@contextmanager
def _session(out: Path) -> Iterator[tuple[Path, ImportReport, RejectLog, Stage]]:
    """The staging folder for the output files, the report, rejects.csv and the staged rows. The files
    are moved into `out` when the body ends; `report.outputs` then names them there."""
    report = ImportReport()
    with staged_run_folder(out, owned=_IMPORT_FILES) as staging:
        # A killed import leaves its staged rows (patient-level): remove them first.
        for leftover in out.iterdir():
            if leftover.name.startswith(".import-") and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=".import-", dir=out))
        rejects = RejectLog(staging / "rejects.csv", report)
        stage = Stage(work)
        try:
            yield staging, report, rejects, stage
        except BaseException:
            stage.abort()
            rejects.abort()
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    report.outputs = [out / p.relative_to(staging) for p in report.outputs]


def _finish(staging: Path, report: ImportReport, rejects: RejectLog, source: str) -> None:
    path = rejects.close()
    if path:
        report.outputs.append(path)
    summary = staging / "import-summary.json"
    tmp = atomic_target(summary)
    tmp.write_text(json.dumps({"source": source, **report.as_dict()}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, summary)
    report.outputs.append(summary)


def _checked(out: Path, report: ImportReport) -> ImportReport:
    """An import that converted no patient is written (its rejects.csv says why) and then fails."""
    if report.patients_written == 0:
        rejects = out / "rejects.csv"
        reasons = f"; the reasons are in {rejects}" if rejects in report.outputs else ""
        raise InputError(f"{out}: no patients could be converted{reasons}")
    return report


def import_fhir(
    paths: list[Path], out: Path, options: FhirOptions | None = None, progress: Progress | None = None
) -> ImportReport:
    """FHIR R4 Bundles, resources or NDJSON (files or folders) -> the data contract in `out`."""
    files = find_files([Path(p) for p in paths])
    total = sum(f.stat().st_size for f in files)
    advance = (lambda n: progress(n, total)) if progress else (lambda _n: None)
    out = Path(out)
    with _session(out) as (staging, report, rejects, stage):
        report.files = len(files)
        converter = FhirConverter(stage, rejects, report, options or FhirOptions())
        for item in read_resources(files, advance):
            if isinstance(item, Located):
                converter.convert(item)
            else:
                report.read["(unreadable)"] += 1
                rejects.add(item.file, item.position, "(unreadable)", "", item.value, item.reason)
        converter.resolve_episodes()
        report.outputs.extend(finalise(stage, staging, rejects, report, converter.complete))
        _finish(staging, report, rejects, "fhir")
    return _checked(out, report)


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
    out = Path(out)
    with _session(out) as (staging, report, rejects, stage):
        report.files = len(files)
        reader = CsvReader(export_map, stage, rejects, report, extract_date or date.today())
        for path in patients:
            reader.read_patients(Path(path), advance)
        for path in events:
            reader.read_events(Path(path), advance)
        report.outputs.extend(finalise(stage, staging, rejects, report, subject_field="patient_id"))
        _finish(staging, report, rejects, "csv")
    return _checked(out, report)
