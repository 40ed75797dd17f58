"""Write output files atomically: each file is written beside its target and renamed into place.

Output files hold patient-level rows, so they are readable by their owner only (0600) and the folders
made for them are 0700. Every CSV cell goes through `sanitise.safe_cell`, so no value becomes a formula.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from qof_cancer.folders import atomic_path, make_private_dir
from qof_cancer.sanitise import FORMULA_TRIGGERS, PLAIN_NUMBER, safe_cell

__all__ = [
    "make_private_dir",
    "atomic_path",
    "write_rows_csv",
    "write_arrow_csv",
    "write_table_csv",
    "write_json",
    "write_text",
]


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


def _safe_text_sql(column: str) -> exp.Expression:
    """`safe_cell` as SQL: a text cell a spreadsheet would run gets a leading apostrophe; '' is empty."""
    value = exp.func("NULLIF", exp.column(column), exp.Literal.string(""))
    first = exp.Substring(this=value.copy(), start=exp.Literal.number(1), length=exp.Literal.number(1))
    runs = exp.and_(
        first.isin(*(exp.Literal.string(t) for t in FORMULA_TRIGGERS)),
        exp.not_(exp.func("regexp_full_match", value.copy(), exp.Literal.string(PLAIN_NUMBER))),
    )
    return (
        exp.Case().when(runs, exp.DPipe(this=exp.Literal.string("'"), expression=value.copy())).else_(value)
    )


def write_table_csv(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], order: Sequence[str], target: Path
) -> Path:
    """A DuckDB table as CSV written by DuckDB itself (no rows through Python), byte for byte what
    `write_rows_csv` writes for the same rows: cells made safe the same way, '' and null both empty.

    Python's csv module leaves a carriage return inside a cell unquoted where DuckDB quotes it, so a
    table holding one (never seen in real extracts) is written through Python instead."""
    text = {
        name for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall() if kind.upper() == "VARCHAR"
    }
    texts = [c for c in columns if c in text]
    if (
        texts
        and con.execute(
            f"SELECT count(*) FROM {table} WHERE " + " OR ".join(f"contains({c}, chr(13))" for c in texts)
        ).fetchall()[0][0]
    ):
        rel = con.sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(order)}")
        return write_arrow_csv((getattr(rel, "to_arrow_table", None) or rel.arrow)(), target)
    select = exp.select(
        *(exp.alias_(_safe_text_sql(c), c) if c in text else exp.column(c) for c in columns)
    ).from_(table)
    # Ordered by the stored values (not the made-safe ones), as the rows were read for the Python writer.
    select = select.order_by(*(exp.column(c, table) for c in order))
    with atomic_path(target) as tmp:
        quoted = str(tmp).replace("'", "''")
        con.execute(f"COPY ({select.sql('duckdb')}) TO '{quoted}' (FORMAT csv, HEADER, DELIMITER ',')")
    return target


def write_json(target: Path, data: object) -> Path:
    return write_text(target, json.dumps(data, indent=2, default=str) + "\n")


def write_text(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
