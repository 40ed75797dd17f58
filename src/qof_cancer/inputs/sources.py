"""Open an input file (CSV or Parquet) in DuckDB as text columns with a row reference."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from qof_cancer.errors import InputError
from qof_cancer.inputs.backends import Backend
from qof_cancer.inputs.postgres import TABLE_PREFIX
from qof_cancer.sanitise import describe_header

__all__ = ["Source", "open_source", "file_format"]


@dataclass(frozen=True)
class Source:
    """An input table opened as relation `name`: its columns, their source types, and how rows are counted.

    `_row` is the row a person would look for: for CSV the spreadsheet row (the header is row 1, so the
    first record is row 2); for Parquet the 1-based record number.
    """

    name: str
    path: str
    format: str
    columns: dict[str, str]

    def has(self, column: str) -> bool:
        return column in self.columns


def file_format(path: Path) -> str:
    """csv or parquet, from the extension (a folder holds Parquet parts)."""
    if path.is_dir():
        return "parquet"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] in ([".parquet"], [".pq"]):
        return "parquet"
    if ".csv" in suffixes or ".txt" in suffixes:
        return "csv"
    raise InputError(f"{path}: unknown file type; give a .csv or .parquet file")


def open_source(
    backend: Backend,
    name: str,
    path: str | Path,
    required: tuple[str, ...],
    known: tuple[str, ...] = (),
) -> Source:
    """Create relation `name` over the file, with a `_row` column; check the required columns exist.

    `known` names the file's other contract columns: only those are named in the message when a required
    column is missing (the first row of a file without a header is a patient's values)."""
    path = Path(path)
    table = str(path).startswith(TABLE_PREFIX)  # a table of the database (--engine postgres)
    if table and not hasattr(backend, "open_table"):
        raise InputError(f"{path}: a database table can be read with --engine postgres only")
    if not table and not path.exists():
        raise InputError(f"{path}: no such file")
    fmt = "table" if table else file_format(path)
    try:
        described = backend.open_file(name, path, fmt)
    except Exception as exc:  # the engines raise their own error types for unreadable files
        if not _is_engine_error(exc):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot be read as {fmt.upper()}: {message}") from None
    if fmt == "csv":
        _check_csv_shape(path, described)
    columns = {col.strip().lower(): kind for col, kind in described.items()}
    if any(col != col.strip().lower() for col in described):
        # Normalise header names (case, spaces) with a renaming view so later SQL can name them plainly.
        select = ", ".join(f'"{col}" AS "{col.strip().lower()}"' for col in described)
        backend.view(f"{name}__named", f"SELECT {select}, _row FROM {name}")
        name = f"{name}__named"
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{path}: row 1: required column '{missing[0]}' is missing "
            f"({describe_header(missing[0], columns, (*required, *known))})"
        )
    return Source(name, str(path), fmt, columns)


_DELIMITERS = (",", ";", "\t", "|")


def _check_csv_shape(path: Path, described: dict[str, str]) -> None:
    """Name the row when a CSV's rows are ragged or its header repeats a name, instead of a misleading
    'column missing'. Reads only the header line, and the file again only when it is ragged."""
    names = [c.strip().lower() for c in described]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if path.suffix.lower() not in (".csv", ".txt"):  # compressed (.csv.gz): DuckDB's reading stands
        if repeated:
            raise InputError(f"{path}: row 1: column '{repeated[0]}' appears more than once in the header")
        return
    with path.open("rb") as fh:
        header = fh.readline(1 << 20).decode("utf-8", "replace").lstrip("\ufeff")
    delimiter = max(_DELIMITERS, key=header.count)
    header_names = [h.strip().lower() for h in next(csv.reader([header], delimiter=delimiter), [])]
    if header.count(delimiter) and header_names != names:
        # The reader did not take the first line as the header (some row has more or fewer fields, so
        # its guess at the layout failed): find the row.
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            width = len(next(reader, []))
            try:
                for record in reader:
                    if record and len(record) != width:
                        raise InputError(
                            f"{path}: row {reader.line_num}: {len(record)} fields where the header has "
                            f"{width} (a stray '{delimiter}' or quote, or a file cut short?)"
                        )
            except csv.Error as exc:
                raise InputError(f"{path}: row {reader.line_num}: cannot be read as CSV: {exc}") from None
    repeated = sorted({n for n in header_names if n and header_names.count(n) > 1}) or repeated
    if repeated:
        raise InputError(f"{path}: row 1: column '{repeated[0]}' appears more than once in the header")


def _is_engine_error(exc: Exception) -> bool:
    if isinstance(exc, duckdb.Error):
        return True
    return type(exc).__module__.startswith(("pyspark", "py4j", "psycopg"))
