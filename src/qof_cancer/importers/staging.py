"""Staged rows to the data contract: patients.parquet and events.parquet, in bounded memory.

Readers append rows to two staging Parquet files as they stream (each row keeps its source file and
position). `finalise` then reads them back in batches: patients are checked for duplicates and completed
(references resolved, defaults applied), and each event is kept only when its patient was converted, so
an event whose patient is unknown or was rejected is reported, not written. Memory holds one batch plus
a dictionary of patient keys, never the events.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from qof_cancer.importers.report import ImportReport, RejectLog, atomic_target

__all__ = [
    "PATIENT_SCHEMA",
    "EVENT_SCHEMA",
    "BatchWriter",
    "Stage",
    "finalise",
    "PatientCompleter",
]

BATCH_ROWS = 50_000

# The data contract's columns (patients: required first), typed: dates as Parquet DATE.
PATIENT_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("practice_code", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("registration_start", pa.date32()),
        ("registration_end", pa.date32()),
        ("date_of_death", pa.date32()),
        ("nhs_number", pa.string()),
        ("pcn_code", pa.string()),
    ]
)
EVENT_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("code", pa.string()),
        ("date", pa.date32()),
        ("episode", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)
_SOURCE = [("_file", pa.string()), ("_position", pa.string()), ("_kind", pa.string())]
# Staged patients carry the key events refer to them by, and an unresolved practice reference.
STAGED_PATIENTS = pa.schema(
    [("_key", pa.string()), ("_practice_ref", pa.string()), *PATIENT_SCHEMA, *_SOURCE]
)
STAGED_EVENTS = pa.schema([("_key", pa.string()), *EVENT_SCHEMA, *_SOURCE])
_PATIENT_FIELDS = [f.name for f in PATIENT_SCHEMA]
_EVENT_FIELDS = [f.name for f in EVENT_SCHEMA]


class BatchWriter:
    """Rows (dicts) to a Parquet file in batches; written beside the target and renamed into place."""

    def __init__(self, target: Path, schema: pa.Schema, batch_rows: int = BATCH_ROWS):
        self.target, self.schema, self.batch_rows = target, schema, batch_rows
        self.rows = 0
        self._tmp = atomic_target(target)
        self._writer = pq.ParquetWriter(self._tmp, schema)
        self._columns: dict[str, list] = {name: [] for name in schema.names}
        self._pending = 0

    def add(self, row: dict) -> None:
        for name, values in self._columns.items():
            values.append(row.get(name))
        self._pending += 1
        if self._pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._writer.write_batch(pa.RecordBatch.from_pydict(self._columns, schema=self.schema))
            self.rows += self._pending
            self._columns = {name: [] for name in self.schema.names}
            self._pending = 0

    def close(self) -> Path:
        self.flush()
        self._writer.close()
        os.replace(self._tmp, self.target)
        return self.target

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)


@dataclass
class Stage:
    """The two staging files in a work folder, and what readers learn on the way.

    `aliases`: other ways events name a patient (a Bundle fullUrl, an NHS number) -> the patient's key.
    `rejected`: patient keys rejected while reading -> reason (their events are reported with it).
    """

    folder: Path
    aliases: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.patients = BatchWriter(self.folder / "patients.staged.parquet", STAGED_PATIENTS, 10_000)
        self.events = BatchWriter(self.folder / "events.staged.parquet", STAGED_EVENTS)

    def close(self) -> tuple[Path, Path]:
        return self.patients.close(), self.events.close()

    def abort(self) -> None:
        self.patients.abort()
        self.events.abort()


# Completes a staged patient (resolves references, applies defaults): returns (field, reason) when it
# cannot be completed; may set values on the row. A hook, so each importer states its own rules.
PatientCompleter = Callable[[dict], tuple[str, str] | None]


def _batches(path: Path) -> Iterator[list[dict]]:
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        yield batch.to_pylist()


def _content(row: dict) -> tuple:
    return tuple(row[name] for name in ("_practice_ref", *_PATIENT_FIELDS))


def finalise(
    stage: Stage,
    out: Path,
    rejects: RejectLog,
    report: ImportReport,
    complete: PatientCompleter | None = None,
    subject_field: str = "subject",
) -> tuple[Path, Path]:
    """Write out/patients.parquet and out/events.parquet from the staged rows; report what was left out.

    `subject_field`: what the source calls an event's patient, for rejects.csv.
    """
    staged_patients, staged_events = stage.close()

    # Pass 1: which keys, and which output ids, appear more than once with different details.
    first: dict[str, tuple] = {}
    copies: dict[str, int] = {}
    owners: dict[str, set[str]] = {}
    conflict: set[str] = set()
    for rows in _batches(staged_patients):
        for row in rows:
            key, content = row["_key"], _content(row)
            copies[key] = copies.get(key, 0) + 1
            if key in first and first[key] != content:
                conflict.add(key)
            first.setdefault(key, content)
            if key in stage.rejected:  # another copy was rejected while reading: which is right is a guess
                conflict.add(key)
            if row["patient_id"] is not None:
                owners.setdefault(row["patient_id"], set()).add(key)
    for keys in owners.values():
        if len(keys) > 1:
            conflict.update(keys)
    del first, owners

    # Pass 2: write each patient once; a conflicting patient is rejected in every copy (which is right
    # would be a guess); identical copies (the same Patient in several bundles) are merged.
    accepted: dict[str, str] = {}
    written: set[str] = set()
    patients = BatchWriter(out / "patients.parquet", PATIENT_SCHEMA)
    try:
        for rows in _batches(staged_patients):
            for row in rows:
                key, kind = row["_key"], row["_kind"]
                where = (row["_file"], row["_position"], kind)
                if key in conflict:
                    reason = f"the same patient appears {copies[key]} times with different details"
                    if copies[key] == 1:
                        reason = "another patient has the same patient_id"
                    rejects.add(*where, "patient_id", row["patient_id"], reason)
                    stage.rejected[key] = reason
                    continue
                if key in written:
                    report.notes[(kind, "identical copies of a patient merged")] += 1
                    continue
                problem = complete(row) if complete else None
                if problem is None:
                    problem = next(
                        (
                            (name, "required value missing")
                            for name in ("patient_id", "practice_code", "date_of_birth", "registration_start")
                            if row[name] is None
                        ),
                        None,
                    )
                if problem:
                    rejects.add(*where, problem[0], row.get(problem[0]), problem[1])
                    stage.rejected[key] = problem[1]
                    continue
                patients.add(row)
                written.add(key)
                accepted[key] = row["patient_id"]
                report.converted[kind] += 1
        patients_path = patients.close()
        report.patients_written = patients.rows
    except BaseException:
        patients.abort()
        raise

    events = BatchWriter(out / "events.parquet", EVENT_SCHEMA)
    last = None  # a resource with several SNOMED CT codes stages one row per code, consecutively
    try:
        for rows in _batches(staged_events):
            for row in rows:
                source = (row["_file"], row["_position"])
                repeat, last = source == last, source
                key = stage.aliases.get(row["_key"], row["_key"])
                patient_id = accepted.get(key)
                if patient_id is None:
                    if key in stage.rejected:
                        reason = "the patient was not converted (see the patient's row in rejects.csv)"
                    else:
                        reason = "unknown patient: no patient with this reference in the input"
                    if not repeat:
                        rejects.add(*source, row["_kind"], subject_field, row["_key"], reason)
                    continue
                row["patient_id"] = patient_id
                events.add(row)
                if not repeat:
                    report.converted[row["_kind"]] += 1
        events_path = events.close()
        report.events_written = events.rows
    except BaseException:
        events.abort()
        raise
    staged_patients.unlink(missing_ok=True)
    staged_events.unlink(missing_ok=True)
    return patients_path, events_path
