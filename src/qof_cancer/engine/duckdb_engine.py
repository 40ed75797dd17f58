"""Run the compiled rules on DuckDB, over the tables that `inputs.load_inputs` created."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["load_cluster_codes", "evaluate_duckdb"]


def load_cluster_codes(
    con: duckdb.DuckDBPyConnection, clusters: ClusterSet, extra: dict[str, frozenset[str]] | None = None
) -> None:
    """Create table cluster_codes(cluster_id, code) from the run's clusters (and any extra lists)."""
    rows = clusters.rows() + [(cid, code) for cid, codes in (extra or {}).items() for code in sorted(codes)]
    table = pa.table(
        {"cluster_id": [r[0] for r in rows], "code": [r[1] for r in rows]},
        schema=pa.schema([("cluster_id", pa.string()), ("code", pa.string())]),
    )
    con.register("cluster_codes_arrow", table)
    con.execute("CREATE OR REPLACE TABLE cluster_codes AS SELECT DISTINCT * FROM cluster_codes_arrow")
    con.unregister("cluster_codes_arrow")


def evaluate_duckdb(
    con: duckdb.DuckDBPyConnection, ruleset: RuleSet, period: Period, table: str = "outcomes"
) -> dict[str, tuple[str | None, int]]:
    """Create table `table` with one row per register patient per indicator; return list sizes by practice."""
    compiled = compile_run(ruleset, period)
    outcomes_sql, sizes_sql = compiled.sql("duckdb")
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS {outcomes_sql} ORDER BY practice_code, indicator, patient_id"
    )
    return {row[0]: (row[1], row[2]) for row in con.execute(sizes_sql).fetchall()}


def outcome_counts(
    con: duckdb.DuckDBPyConnection, table: str = "outcomes"
) -> list[tuple[str, str, str, int]]:
    """(practice_code, indicator, outcome, patients) for the summary."""
    return con.execute(
        f"SELECT practice_code, indicator, outcome, count(*) FROM {table} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
