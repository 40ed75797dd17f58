"""`qof-cancer sql`: the script run for real (PostgreSQL with psql, DuckDB) gives the engine's outcomes on
the spec cases' patients; every other dialect's script parses back with sqlglot, and read back into
DuckDB it still gives the same outcomes (so sqlglot's rendering lost nothing it can read)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from datetime import date

import duckdb
import pytest
import sqlglot

from qof_cancer.cli import main
from qof_cancer.codes import load_clusters
from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.model import load_ruleset
from qof_cancer.warehouse.script import DIALECTS, TESTED_DIALECTS, render_script
from tests.engines.runner import SqlEngine, load_patients
from tests.postgres_server import postgres_bin
from tests.spec.test_cancer_cases import CASES, TODAY, _patient

RULESET = load_ruleset()
PERIOD = RULESET.period("2023-24", None, TODAY)
CLUSTERS = load_clusters()
CODES = {c.id: c.codes for c in CLUSTERS.clusters.values()}
# The spec cases of the default year, date and code lists: one patient each.
PATIENTS = [
    _patient(i, c) for i, c in enumerate(CASES) if not {"year", "as_of", "codes", "settings"} & set(c)
]


def _as_text(rows: list[dict]) -> list[tuple[str, ...]]:
    def text(v) -> str:
        return "" if v is None else v.isoformat() if isinstance(v, date) else str(v)

    return [tuple(text(r[c]) for c in OUTCOME_COLUMNS) for r in rows]


@pytest.fixture(scope="module")
def expected() -> list[tuple[str, ...]]:
    engine = SqlEngine("duckdb", DuckDBBackend(duckdb.connect()))
    rows = engine.outcomes(RULESET, PERIOD, CODES, PATIENTS)
    engine.backend.close()
    assert len(rows) > 60  # most cases are on the register
    return sorted(_as_text(rows))


def _run_on_duckdb(script: str) -> list[tuple[str, ...]]:
    backend = DuckDBBackend(duckdb.connect())
    try:
        load_patients(backend, PATIENTS, {})  # no code lists: the script brings its own
        table = backend.arrow(script.rstrip().rstrip(";"))
        return sorted(_as_text(table.to_pylist()))
    finally:
        backend.close()


def test_the_postgres_script_run_with_psql_gives_the_engines_outcomes(tmp_path, postgres_dsn, expected):
    from qof_cancer.inputs.postgres import PostgresBackend

    script = tmp_path / "can.sql"
    assert main(["sql", "--year", "2023-24", "--dialect", "postgres", "--out", str(script)]) == 0
    assert "GENERATED, UNTESTED" not in script.read_text()
    backend = PostgresBackend.connect(postgres_dsn)
    try:
        load_patients(backend, PATIENTS, {})
        psql = str(postgres_bin() / "psql") if (postgres_bin() / "psql").exists() else "psql"
        done = subprocess.run(
            [psql, "--csv", "-v", "ON_ERROR_STOP=1", "-f", str(script), postgres_dsn],
            env={**os.environ, "PGOPTIONS": f"-c search_path={backend.schema}"},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        backend.close()
    reader = csv.reader(io.StringIO(done.stdout))
    assert tuple(next(reader)) == OUTCOME_COLUMNS
    assert sorted(tuple(r) for r in reader) == expected


def test_the_duckdb_script_gives_the_engines_outcomes(expected):
    assert _run_on_duckdb(render_script(RULESET, PERIOD, CLUSTERS, "duckdb")) == expected


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d not in TESTED_DIALECTS])
def test_an_untested_dialect_is_marked_and_parses_back(dialect, expected):
    script = render_script(RULESET, PERIOD, CLUSTERS, dialect)
    assert "-- GENERATED, UNTESTED" in script
    (tree,) = [t for t in sqlglot.parse(script, read=dialect) if t is not None]
    assert tree.find(sqlglot.exp.Select) is not None
    # Read back into DuckDB's dialect the query still gives the engine's outcomes: the rendering kept
    # every condition sqlglot can read (not a test of the warehouse itself, which is not here).
    if dialect in ("spark", "databricks", "snowflake"):
        assert _run_on_duckdb(tree.sql("duckdb")) == expected


def test_sql_rejects_an_unknown_dialect(capsys):
    assert main(["sql", "--year", "2023-24", "--dialect", "oracle"]) == 2
    assert "choose one of postgres" in capsys.readouterr().err
