"""Open an input file (CSV or Parquet) in DuckDB as text columns with a row reference."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

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
        if len(described) > 1 and (skips := _blank_lines(path)):
            name = _count_blank_lines(backend, name, list(described), skips)
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


_CHUNK = 1 << 24


def _open_text(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")


def _blank_lines(path: Path) -> list[tuple[int, int, int]]:
    """Where blank lines sit among a CSV's records, as (first record, last record + 1, blank lines before).

    The readers skip blank lines, so the record number alone is not the row a person sees in the file
    (a spreadsheet counts blank rows). Most files have none: a byte search finds that at the speed of
    the disk, and only a file with a blank line between records is read again record by record (a
    quoted value may hold a blank line that is not a row of its own).
    """
    with _open_text(path) as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            text = tail + chunk
            hit = min((i for i in (text.find(b"\n\n"), text.find(b"\n\r\n")) if i >= 0), default=-1)
            if hit >= 0 or text.startswith((b"\n", b"\r\n")):
                # Only blank lines at the very end: nothing after them to renumber.
                rest = text[max(hit, 0) :].strip(b"\r\n")
                while not rest and (chunk := fh.read(_CHUNK)):
                    rest = chunk.strip(b"\r\n")
                if rest:
                    break
                return []
            tail = text[-2:]
        else:
            return []
    with _open_text(path) as fh:
        reader = csv.reader((line.decode("utf-8", "replace") for line in fh), delimiter=_delimiter(path))
        spans: list[tuple[int, int, int]] = []
        header, index, blanks = True, 0, 0
        try:
            for record in reader:
                if not record:
                    blanks += 1
                elif header:
                    header = False
                else:
                    if blanks and spans and spans[-1][1] == index and spans[-1][2] == blanks:
                        spans[-1] = (spans[-1][0], index + 1, blanks)
                    elif blanks:
                        spans.append((index, index + 1, blanks))
                    index += 1
        except csv.Error:
            return []  # a broken file is reported by the reader, with its own row
    return spans


def _count_blank_lines(
    backend: Backend, name: str, columns: list[str], spans: list[tuple[int, int, int]]
) -> str:
    """A view over relation `name` whose `_row` counts the blank lines before each record."""
    table = pa.table(
        {"lo": [s[0] for s in spans], "hi": [s[1] for s in spans], "blanks": [s[2] for s in spans]},
        schema=pa.schema([("lo", pa.int64()), ("hi", pa.int64()), ("blanks", pa.int64())]),
    )
    backend.register(f"{name}__blanks", table)
    columns = ["f." + '"' + c.replace('"', '""') + '"' for c in columns]
    backend.view(
        f"{name}__lines",
        f"SELECT {', '.join(columns)}, f._row + COALESCE(CAST(b.blanks AS BIGINT), 0) AS _row FROM {name} AS f "
        f"LEFT JOIN {name}__blanks AS b ON f._row - 2 >= CAST(b.lo AS BIGINT) AND f._row - 2 < CAST(b.hi AS BIGINT)",
    )
    return f"{name}__lines"


def _delimiter(path: Path) -> str:
    with _open_text(path) as fh:
        header = fh.readline(1 << 20).decode("utf-8", "replace").lstrip("\ufeff")
    return max(_DELIMITERS, key=header.count)


def _is_engine_error(exc: Exception) -> bool:
    if isinstance(exc, duckdb.Error):
        return True
    return type(exc).__module__.startswith(("pyspark", "py4j", "psycopg"))
