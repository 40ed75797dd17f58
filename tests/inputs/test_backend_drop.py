"""`Backend.drop` on DuckDB: a table, a view or a temporary view goes, whatever kind it is; a name that
is not there is no error; other objects stay."""

from __future__ import annotations

import duckdb

from qof_cancer.inputs.backends import DuckDBBackend


def _names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_drop_removes_each_kind_by_name_and_leaves_the_rest():
    con = duckdb.connect()
    backend = DuckDBBackend(con)
    backend.materialize("kept", "SELECT 1 AS a")
    backend.materialize("a_table", "SELECT 1 AS a")
    backend.view("a_view", "SELECT * FROM kept", keep=True)
    backend.view("a_temp_view", "SELECT * FROM kept")
    for name in ("a_table", "a_view", "a_temp_view", "never_made"):
        backend.drop(name)
    assert _names(con) == {"kept"}
