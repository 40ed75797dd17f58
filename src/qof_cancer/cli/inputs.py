"""Checks on the input paths before a run, in words a person can act on: a folder given where a file
was wanted, or the patients and events files given the wrong way round.

These look only at paths and file headers, never at patient rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

from qof_cancer.errors import UserError
from qof_cancer.inputs.checks import EVENT_REQUIRED, PATIENT_REQUIRED

__all__ = ["check_input_paths"]

_DATA_SUFFIXES = (".csv", ".parquet")


def _header(path: Path) -> set[str] | None:
    """The column names of a CSV or Parquet file (lower case), or None when it cannot be told cheaply."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return {n.strip().lower() for n in pq.read_schema(path).names}
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return {h.strip().lower() for h in next(csv.reader(fh), [])}
    except Exception:  # noqa: BLE001 - the reader reports the real problem, with its row and column
        return None


def _check_folder(option: str, path: Path) -> None:
    """A folder is read as a Parquet dataset only when it holds data files; otherwise say so plainly."""
    if not path.is_dir():
        return
    inside = [p for p in path.iterdir() if p.suffix.lower() in _DATA_SUFFIXES]
    if not inside:
        raise UserError(
            f"{option} {path}: is a folder with no .csv or .parquet files in it; give the file itself "
            f"(for example {path / 'patients.csv'})"
        )


def check_input_paths(patients: Path, events: Path) -> None:
    """Stop with a clear message when a path is a folder with no data or the two files look swapped."""
    _check_folder("--patients", patients)
    _check_folder("--events", events)
    if patients.resolve() == events.resolve():
        raise UserError(f"--patients and --events are the same file ({patients}): give the two files")
    if not (patients.is_file() and events.is_file()):
        return
    p_cols, e_cols = _header(patients), _header(events)
    if p_cols is None or e_cols is None:
        return
    patients_look_like_events = set(EVENT_REQUIRED) <= p_cols and not set(PATIENT_REQUIRED) <= p_cols
    events_look_like_patients = set(PATIENT_REQUIRED) <= e_cols and "code" not in e_cols
    if patients_look_like_events and events_look_like_patients:
        raise UserError(
            f"the patients and events files look swapped: --patients {patients} has the events columns "
            f"({', '.join(EVENT_REQUIRED)}) and --events {events} the patients columns; swap them"
        )
