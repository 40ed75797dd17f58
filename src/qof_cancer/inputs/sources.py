"""Open an input file (CSV or Parquet) in DuckDB as text columns with a row reference."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from qof_cancer.errors import InputError

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
    con: duckdb.DuckDBPyConnection, name: str, path: str | Path, required: tuple[str, ...]
) -> Source:
    """Create relation `name` over the file, with a `_row` column; check the required columns exist."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    fmt = file_format(path)
    literal = str(path / "*.parquet") if path.is_dir() else str(path)
    try:
        if fmt == "csv":
            # Text columns, materialised in file order so that rowid is the record's position.
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name}__file AS "
                "SELECT * FROM read_csv(?, all_varchar = true, header = true, sample_size = -1)",
                [literal],
            )
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *, rowid + 2 AS _row FROM {name}__file"
            )
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS "
                f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
                f"FROM read_parquet('{_quote(literal)}', file_row_number = true)"
            )
        described = con.execute(f"DESCRIBE {name}").fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        raise InputError(f"{path}: cannot be read as {fmt.upper()}: {message}") from None
    columns = {row[0].strip().lower(): row[1] for row in described if row[0] != "_row"}
    if any(c != c.strip().lower() for c in (row[0] for row in described)):
        # Normalise header names (case, spaces) with a renaming view so later SQL can name them plainly.
        select = ", ".join(f'"{row[0]}" AS "{row[0].strip().lower()}"' for row in described)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name}__named AS SELECT {select} FROM {name}")
        name = f"{name}__named"
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{path}: row 1: required column '{missing[0]}' is missing "
            f"(found: {', '.join(columns) or 'no columns'})"
        )
    return Source(name, str(path), fmt, columns)


def _quote(text: str) -> str:
    return text.replace("'", "''")
