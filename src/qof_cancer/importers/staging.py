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
import pyarrow.compute as pc
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
STAGED_EVENTS = pa.schema([("_key", pa.string()), *EVENT_SCHEMA, *_SOURCE, ("_first", pa.bool_())])
_PATIENT_FIELDS = [f.name for f in PATIENT_SCHEMA]
_EVENT_FIELDS = [f.name for f in EVENT_SCHEMA]


class BatchWriter:
    """Rows (dicts) to a Parquet file in batches; written beside the target and renamed into place."""

    def __init__(self, target: Path, schema: pa.Schema, batch_rows: int = BATCH_ROWS):
        self.target, self.schema, self.batch_rows = target, schema, batch_rows
        self.rows = 0
        self._tmp = atomic_target(target)
        self._writer = pq.ParquetWriter(self._tmp, schema)
        self._rows: list[dict] = []

    def add(self, row: dict) -> None:
        """One row; keys not in the schema are ignored, columns missing from the row are null."""
        self._rows.append(row)
        if len(self._rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_batch(pa.RecordBatch.from_pylist(self._rows, schema=self.schema))
            self.rows += len(self._rows)
            self._rows = []

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

    events_path = _finalise_events(stage, staged_events, out, accepted, rejects, report, subject_field)
    staged_patients.unlink(missing_ok=True)
    staged_events.unlink(missing_ok=True)
    return patients_path, events_path


def _finalise_events(
    stage: Stage,
    staged: Path,
    out: Path,
    accepted: dict[str, str],
    rejects: RejectLog,
    report: ImportReport,
    subject_field: str,
) -> Path:
    """Events whose patient was converted, a batch at a time (columnar: millions of rows stay fast)."""
    writer = pq.ParquetWriter(tmp := atomic_target(out / "events.parquet"), EVENT_SCHEMA)
    rows = 0
    try:
        for batch in pq.ParquetFile(staged).iter_batches(batch_size=BATCH_ROWS):
            keys = batch.column("_key").to_pylist()
            ids = [accepted.get(stage.aliases.get(k, k)) for k in keys]
            kept = pa.array([i is not None for i in ids])
            # A resource with several codes stages one row per code; `_first` marks its first row.
            first = batch.column("_first")
            for i in [n for n, pid in enumerate(ids) if pid is None]:
                if not first[i].as_py():
                    continue
                key = stage.aliases.get(keys[i], keys[i])
                if key in stage.rejected:
                    reason = "the patient was not converted (see the patient's row in rejects.csv)"
                else:
                    reason = "unknown patient: no patient with this reference in the input"
                where = (batch.column(c)[i].as_py() for c in ("_file", "_position", "_kind"))
                rejects.add(*where, subject_field, keys[i], reason)
            converted = pc.filter(batch.column("_kind"), pc.and_(kept, first))
            for item in pc.value_counts(converted).to_pylist():
                report.converted[item["values"]] += item["counts"]
            table = pa.Table.from_batches([batch]).set_column(
                batch.schema.get_field_index("patient_id"), "patient_id", pa.array(ids, pa.string())
            )
            table = table.filter(kept).select(EVENT_SCHEMA.names)
            writer.write_table(table)
            rows += table.num_rows
        writer.close()
        os.replace(tmp, out / "events.parquet")
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    report.events_written = rows
    return out / "events.parquet"
