"""A run's feature tables: kept in the store and fetched into Arrow once, on first read; fetched when an
in-memory store closes; left in a database file's store and read from the file after."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from qof_cancer import api
from qof_cancer.engine.reference import Patient
from qof_cancer.engine.tables import RunTables, StoreTable
from qof_cancer.inputs.backends import DuckDBBackend
from tests.helpers import as_event, write_inputs


def _store():
    backend = DuckDBBackend(duckdb.connect())
    backend.execute("CREATE TABLE feature_big AS SELECT range AS n, 'x' || range AS s FROM range(5)")
    calls: list[str] = []

    def fetch(sql: str) -> pa.Table:
        calls.append(sql)
        return backend.arrow(sql)

    tables = RunTables(fetch)
    tables["small"] = pa.table({"a": [1]})
    tables["big"] = StoreTable(
        "feature_big", ("s", "n"), ("n DESC",), pa.schema([("s", pa.string()), ("n", pa.int32())])
    )
    return backend, tables, calls


def test_a_stored_table_is_fetched_on_first_read_only_in_its_order_and_types():
    backend, tables, calls = _store()
    assert list(tables) == ["small", "big"] and len(tables) == 2 and "big" in tables
    assert tables.columns("big") == ["s", "n"] and tables.num_rows("big", backend) == 5
    assert not calls and not tables.is_fetched("big")  # nothing left the engine for those
    big = tables["big"]
    assert big.column("n").to_pylist() == [4, 3, 2, 1, 0] and big.schema.field("n").type == pa.int32()
    assert tables["big"] is big and len(calls) == 1
    assert tables.stored("big") is None and tables.is_fetched("big") and tables.in_store("big")
    assert not tables.in_store("small")
    with pytest.raises(KeyError):
        tables["missing"]


def test_close_without_keep_fetches_what_is_left_then_needs_no_store():
    backend, tables, calls = _store()
    tables.close(backend, keep=False)
    backend.close()
    assert len(calls) == 1 and tables["big"].num_rows == 5


def test_close_with_keep_reads_the_shape_now_and_rows_through_reopen():
    backend, tables, calls = _store()
    reopened: list[str] = []

    def reopen(sql: str) -> pa.Table:
        reopened.append(sql)
        return pa.table({"s": ["b", "a"], "n": [2, 1]})

    tables.close(backend, keep=True, reopen=reopen)
    backend.close()
    assert not calls and tables.num_rows("big") == 5 and tables.columns("big") == ["s", "n"]
    assert tables["big"].num_rows == 2 and len(reopened) == 1


def _inputs(folder):
    patients = [
        Patient(
            patient_id=f"p{i}",
            practice_code="A00001",
            pcn_code="U00001",
            registration_start=dt.date(2000, 1, 1),
            events=(as_event(["CAN_COD", dt.date(2023, 6, 1)]),),
        )
        for i in range(4)
    ]
    return write_inputs(folder, patients)


def test_a_run_in_memory_hands_back_arrow_only(tmp_path):
    result = api.run(*_inputs(tmp_path), year="2023-24", today=dt.date(2024, 6, 1))
    assert all(result.tables.is_fetched(n) for n in result.tables)
    assert {"data_quality", "data_quality_summary", "worklist"} <= set(result.tables)


def test_a_run_in_a_database_file_leaves_engine_tables_there(tmp_path):
    database = tmp_path / "store.duckdb"
    result = api.run(*_inputs(tmp_path), year="2023-24", today=dt.date(2024, 6, 1), database=str(database))
    tables = result.tables
    assert tables.stored("data_quality_summary") is not None and not tables.is_fetched("data_quality")
    with duckdb.connect(str(database), read_only=True) as con:
        kept = DuckDBBackend(con).arrow(
            "SELECT * FROM feature_data_quality_summary ORDER BY practice_code NULLS LAST"
        )
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"feature_data_quality", "feature_worklist", "summary"} <= names
    assert tables.num_rows("data_quality_summary") == kept.num_rows > 0
    # read after the run closed its store: from the file, the same rows
    summary = tables["data_quality_summary"]
    assert summary.column_names == kept.column_names
    assert sorted(summary.to_pylist(), key=str) == sorted(kept.cast(summary.schema).to_pylist(), key=str)
