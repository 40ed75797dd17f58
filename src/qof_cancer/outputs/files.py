"""Write output files atomically: each file is written beside its target and renamed into place.

Output files hold patient-level rows, so they are readable by their owner only (0600) and the folders
made for them are 0700. Every CSV cell goes through `sanitise.safe_cell`, so no value becomes a formula.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa

from qof_cancer.folders import atomic_path, make_private_dir
from qof_cancer.sanitise import safe_cell

__all__ = ["make_private_dir", "atomic_path", "write_rows_csv", "write_arrow_csv", "write_json", "write_text"]


def write_rows_csv(target: Path, columns: Sequence[str], rows: Iterable[dict]) -> Path:
    with atomic_path(target) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else safe_cell(v)) for k, v in row.items()})
    return target


def write_arrow_csv(table: pa.Table, target: Path) -> Path:
    """An Arrow table as CSV (dates ISO, empty for null), atomically, in the same dialect as the others."""
    return write_rows_csv(target, table.column_names, table.to_pylist())


def write_json(target: Path, data: object) -> Path:
    return write_text(target, json.dumps(data, indent=2, default=str) + "\n")


def write_text(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
