"""Write output files atomically: each file is written beside its target and renamed into place.

Output files hold patient-level rows, so they are readable by their owner only (0600) and the folders
made for them are 0700. Every CSV cell goes through `sanitise.safe_cell`, so no value becomes a formula.

A table in DuckDB (the run's store, or an Arrow table DuckDB scans in place) is written by DuckDB's own
`COPY` (`write_table_csv`, `write_arrow_csv_by_engine`), with the bytes Python's csv writer would write
for the same rows; a table of types whose text the two writers could spell differently goes through
Python. Parquet (`write_table_parquet`, `write_arrow_parquet`) holds the values as typed, unchanged.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from qof_cancer.engine.tables import quote_name
from qof_cancer.folders import atomic_path, make_private_dir
from qof_cancer.inputs.backends import sql_string
from qof_cancer.sanitise import FORMULA_TRIGGERS, PLAIN_NUMBER, safe_cell

__all__ = [
    "make_private_dir",
    "atomic_path",
    "write_rows_csv",
    "write_arrow_csv",
    "write_table_csv",
    "write_arrow_csv_by_engine",
    "write_table_parquet",
    "write_arrow_parquet",
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


_TRIGGERS = ", ".join(sql_string(t) for t in FORMULA_TRIGGERS)


def _safe_text_sql(column: str) -> str:
    """`safe_cell` as SQL: a text cell a spreadsheet would run gets a leading apostrophe; '' is empty.

    The SQL here is written as text, not built as sqlglot trees: a run writes a dozen tables of a dozen
    columns, and building the trees cost more than DuckDB's writing of the smaller tables."""
    value = f"NULLIF({quote_name(column)}, '')"
    runs = f"SUBSTRING({value}, 1, 1) IN ({_TRIGGERS}) AND NOT REGEXP_FULL_MATCH({value}, {sql_string(PLAIN_NUMBER)})"
    return f"CASE WHEN {runs} THEN {sql_string(chr(39))} || {value} ELSE {value} END"


# DuckDB types whose text in DuckDB's CSV is Python's str() of the value pyarrow gives.
_AS_STORED = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "DATE",
}  # fmt: skip


def _cell_sql(column: str, kind: str) -> str | None:
    """A column as DuckDB should write it for Python's bytes (DuckDB SQL), or None when there is no such
    SQL here."""
    kind = kind.upper()
    value = quote_name(column)
    if kind == "VARCHAR":
        return _safe_text_sql(column)
    if kind in _AS_STORED:
        return value
    if kind == "BOOLEAN":  # Python writes True / False
        return f"CASE WHEN {value} THEN 'True' WHEN NOT {value} THEN 'False' END"
    if kind in ("DOUBLE", "FLOAT"):
        # DuckDB spells a double as Python's repr does (the shortest text that reads back the same), but
        # for NaN; a float is written as the double pyarrow gives Python.
        double = f"CAST({value} AS DOUBLE)"
        return f"CASE WHEN ISNAN({double}) THEN 'nan' ELSE CAST({double} AS TEXT) END"
    return None


def _order_terms(order: Sequence[str], table: str) -> list[str]:
    """ORDER BY terms (DuckDB SQL: a column, `x DESC NULLS LAST`, an expression) on `table`'s stored
    values: each column is qualified, so it is not taken for the made-safe column of the same name."""

    def qualify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table:
            node = node.copy()
            node.set("table", exp.to_identifier(table))
        return node

    return [
        sqlglot.parse_one(term, into=exp.Ordered, dialect="duckdb").transform(qualify).sql("duckdb")
        for term in order
    ]


def _select(table: str, columns: Sequence[str], order: Sequence[str], cells=None) -> str:
    """The query of `table`'s `columns` (as `cells` makes them, when given), in `order` (DuckDB SQL)."""
    shown = ", ".join(f"{cells[c]} AS {quote_name(c)}" if cells else quote_name(c) for c in columns)
    select = f"SELECT {shown} FROM {table}"
    return select + (f" ORDER BY {', '.join(_order_terms(order, table))}" if order else "")


def write_table_csv(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], order: Sequence[str], target: Path
) -> Path:
    """A DuckDB table as CSV written by DuckDB itself (no rows through Python), byte for byte what
    `write_rows_csv` writes for the same rows: cells made safe the same way, '' and null both empty,
    True/False and floats spelled as Python spells them. `order` are ORDER BY terms (DuckDB SQL).

    Python's csv module leaves a carriage return inside a cell unquoted where DuckDB quotes it, so a
    table holding one (never seen in real extracts) is written through Python instead; so is a table
    with a column of another type (timestamps, decimals, lists) and a table of one column (Python
    writes an empty cell of a one-cell row as `""`)."""
    kinds = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()}
    cells = {c: _cell_sql(c, kinds[c]) for c in columns}
    texts = [quote_name(c) for c in columns if kinds[c].upper() == "VARCHAR"]
    if (
        len(columns) < 2
        or any(cell is None for cell in cells.values())
        or texts
        and con.execute(
            f"SELECT count(*) FROM {table} WHERE " + " OR ".join(f"contains({c}, chr(13))" for c in texts)
        ).fetchall()[0][0]
    ):
        rel = con.sql(_select(table, columns, order))
        return write_arrow_csv((getattr(rel, "to_arrow_table", None) or rel.arrow)(), target)
    # Ordered by the stored values (not the made-safe ones), as the rows were read for the Python writer.
    select = _select(table, columns, order, cells)
    with atomic_path(target) as tmp:
        quoted = str(tmp).replace("'", "''")
        con.execute(f"COPY ({select}) TO '{quoted}' (FORMAT csv, HEADER, DELIMITER ',')")
    return target


_ROW = "__qof_row"  # the position of an Arrow table's row, for DuckDB to keep the order by


@contextmanager
def _scanned(con: duckdb.DuckDBPyConnection, table: pa.Table) -> Iterator[str]:
    """`table` registered in DuckDB (scanned in place, not copied) with its row positions, by a name."""
    name = f"qof_out_{uuid.uuid4().hex}"
    con.register(name, table.append_column(_ROW, pa.array(range(table.num_rows), pa.int64())))
    try:
        yield name
    finally:
        con.unregister(name)


def write_arrow_csv_by_engine(con: duckdb.DuckDBPyConnection, table: pa.Table, target: Path) -> Path:
    """An Arrow table as CSV written by DuckDB's COPY, in the table's row order: the bytes of
    `write_arrow_csv`."""
    with _scanned(con, table) as name:
        return write_table_csv(con, name, table.column_names, (_ROW,), target)


def write_table_parquet(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], order: Sequence[str], target: Path
) -> Path:
    """A DuckDB table as Parquet written by DuckDB, its rows in `order`, atomically."""
    with atomic_path(target) as tmp:
        quoted = str(tmp).replace("'", "''")
        sql = _select(table, columns, order)
        con.execute(f"COPY ({sql}) TO '{quoted}' (FORMAT parquet)")
    return target


def write_arrow_parquet(table: pa.Table, target: Path) -> Path:
    """An Arrow table as Parquet, atomically."""
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)
    return target


def write_json(target: Path, data: object) -> Path:
    return write_text(target, json.dumps(data, indent=2, default=str) + "\n")


def write_text(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
