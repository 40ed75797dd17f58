"""Write output files atomically: each file is written beside its target and renamed into place."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

__all__ = ["atomic_path", "write_rows_csv", "write_table_csv", "write_arrow_csv", "write_json", "write_text"]


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; on success rename it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_rows_csv(target: Path, columns: Sequence[str], rows: Iterable[dict]) -> Path:
    with atomic_path(target) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return target


def write_table_csv(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> Path:
    """COPY a query's result to CSV (fast for large tables), atomically."""
    with atomic_path(target) as tmp:
        con.execute(f"COPY ({query}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')")
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
