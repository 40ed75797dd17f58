"""CSVs written by DuckDB's COPY have the bytes of the Python writer on awkward cells of every type, in
the store and from Arrow; a run folder's CSVs (feature tables, rejects) are those bytes; tables over
PARQUET_ROWS rows get a Parquet file beside their CSV, owner-only, holding the same rows."""

from __future__ import annotations

import datetime as dt
import math
import stat

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qof_cancer import api
from qof_cancer.outputs import registry
from qof_cancer.outputs.files import write_arrow_csv, write_arrow_csv_by_engine, write_table_csv
from tests.helpers import PATIENT_HEADER, diagnosed_patients, write_inputs

TEXT = [
    '=HYPERLINK("x")', "@me", "-3.5", "+44 7700 900123", "a,b", 'q"x', "two\nlines", "é ü 中", "\tx",
    "", None, "plain",
]  # fmt: skip
FLOATS = [
    0.0,
    -0.0,
    1.0,
    100.0,
    0.1,
    12.5,
    1e-05,
    1e16,
    1 / 3,
    -3.5,
    1234567.89,
    math.inf,
    -math.inf,
    math.nan,
]


def _awkward() -> pa.Table:
    n = max(len(TEXT), len(FLOATS))
    return pa.table(
        {
            "n": pa.array(range(n), pa.int64()),
            "text": pa.array([TEXT[i % len(TEXT)] for i in range(n)], pa.string()),
            "money": pa.array([FLOATS[i % len(FLOATS)] for i in range(n)], pa.float64()),
            "ratio": pa.array(
                [None if i % 5 == 0 else FLOATS[i % len(FLOATS)] for i in range(n)], pa.float32()
            ),
            "flag": pa.array([None if i % 3 == 0 else i % 2 == 0 for i in range(n)], pa.bool_()),
            "day": pa.array([None if i % 4 == 0 else dt.date(2024, 1, i + 1) for i in range(n)], pa.date32()),
            "small": pa.array([None if i % 6 == 0 else -i for i in range(n)], pa.int32()),
        }
    )


def test_copy_from_the_store_is_the_python_writer_on_every_type(tmp_path):
    table = _awkward()
    con = duckdb.connect()
    con.register("src", table)
    con.execute("CREATE TABLE t AS SELECT * FROM src")
    write_table_csv(con, "t", table.column_names, ("n",), tmp_path / "engine.csv")
    write_arrow_csv(table, tmp_path / "python.csv")
    engine = (tmp_path / "engine.csv").read_bytes()
    assert engine == (tmp_path / "python.csv").read_bytes()
    # the spellings the engine had to be taught: made-safe text, Python's True/False and float repr
    for text in (b"'=HYPERLINK", b"True", b"False", b"1e-05", b"1e+16", b"nan", b"-inf", b'"a,b"'):
        assert text in engine, text


def test_copy_of_an_arrow_table_keeps_its_row_order_and_bytes(tmp_path):
    table = _awkward()
    backwards = table.take(pa.array(range(table.num_rows - 1, -1, -1)))
    con = duckdb.connect()
    write_arrow_csv_by_engine(con, backwards, tmp_path / "engine.csv")
    write_arrow_csv(backwards, tmp_path / "python.csv")
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [(0,)]


@pytest.mark.parametrize(
    "column",
    [
        pa.array([dt.datetime(2024, 1, 1, 9, 30), dt.datetime(2024, 1, 2, 9, 30, 0, 500000)]),
        pa.array(["a", None]),  # a one-column table: Python writes an empty cell as ""
    ],
    ids=["timestamp", "one-column"],
)
def test_tables_the_engine_cannot_spell_go_through_python(tmp_path, column):
    table = pa.table({"x": column}) if column.type == pa.string() else pa.table({"n": [1, 2], "x": column})
    con = duckdb.connect()
    write_arrow_csv_by_engine(con, table, tmp_path / "engine.csv")
    write_arrow_csv(table, tmp_path / "python.csv")
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def _inputs_with_rejects(folder):
    """Patients with awkward ids and codes on the register, and event rows the checks reject with awkward
    values (a comma, quotes, a formula, a line break, unicode)."""
    patients = diagnosed_patients(("p1", "=cmd", "a,b", 'q"x', "é"))
    ppath, epath = write_inputs(folder, patients)
    assert PATIENT_HEADER[0] == "patient_id"
    with epath.open("a", newline="") as fh:
        fh.write('p1,"=1+1",2023-07-01,\n')
        fh.write('p1,1234567,"1 July, 2023",\n')
        fh.write('p1,1234567,"two\nlines ""quoted""",\n')
        fh.write("p1,1234567,2023-13-45 é,\n")
    return ppath, epath


def test_a_run_folder_is_the_python_writer_s_bytes_table_by_table(tmp_path):
    ppath, epath = _inputs_with_rejects(tmp_path / "in")
    out = tmp_path / "out"
    result = api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=out)
    assert result.rejects.num_rows >= 3
    write_arrow_csv(result.rejects, tmp_path / "rejects.csv")
    assert (out / "rejects.csv").read_bytes() == (tmp_path / "rejects.csv").read_bytes()
    assert {"data_quality", "worklist", "forecast"} <= set(result.tables)
    for name in result.tables:
        write_arrow_csv(result.tables[name], tmp_path / f"{name}.csv")
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / f"{name}.csv").read_bytes(), name
    assert not list(out.glob("*.parquet"))  # every table is small


def test_tables_over_the_threshold_get_parquet_beside_the_csv(tmp_path, monkeypatch):
    ppath, epath = _inputs_with_rejects(tmp_path / "in")
    out = tmp_path / "out"
    monkeypatch.setattr(registry, "PARQUET_ROWS", 3)
    result = api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=out)
    big = {"outcomes": result.outcomes, "rejects": result.rejects} | {
        n: result.tables[n] for n in result.tables if result.tables[n].num_rows > 3
    }
    assert {"outcomes", "rejects", "data_quality_summary"} <= set(big)
    for name, table in big.items():
        parquet = out / f"{name}.parquet"
        assert parquet in result.files
        assert stat.S_IMODE(parquet.stat().st_mode) == 0o600
        back = pq.read_table(parquet)  # the same rows, in order, as typed (nullability aside)
        assert [(f.name, f.type) for f in back.schema] == [(f.name, f.type) for f in table.schema], name
        assert back.to_pylist() == table.to_pylist(), name
    small = [n for n in result.tables if result.tables[n].num_rows <= 3]
    assert small and not any((out / f"{n}.parquet").exists() for n in small)

    # The next run under the threshold: the earlier run's Parquet files go with it.
    monkeypatch.setattr(registry, "PARQUET_ROWS", 100_000)
    api.run(ppath, epath, year="2023-24", today=dt.date(2024, 6, 1), out=out)
    assert not list(out.glob("*.parquet"))
