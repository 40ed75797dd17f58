"""`qof-cancer sql`: the script run for real (PostgreSQL with psql, DuckDB) gives the engine's outcomes on
the spec cases' patients; every other dialect's script parses back with sqlglot, and read back into
DuckDB it still gives the same outcomes (so sqlglot's rendering lost nothing it can read).

T-SQL has no boolean values: its script is checked to hold none (walking the parsed tree), and the same
rewrite (warehouse.booleans) applied to the PostgreSQL and DuckDB queries is run on both for real and
gives the engine's outcomes, so what the rewrite means is proven on real engines."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from datetime import date

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from qof_cancer.cli import main
from qof_cancer.codes import load_clusters
from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.model import load_ruleset
from qof_cancer.warehouse.booleans import without_booleans
from qof_cancer.warehouse.script import DIALECTS, TESTED_DIALECTS, outcomes_query, render_script
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


def _run_with_psql(script, dsn: str) -> list[tuple[str, ...]]:
    """The script file run by psql over the spec cases' patients, its CSV rows (header checked)."""
    from qof_cancer.inputs.postgres import PostgresBackend

    backend = PostgresBackend.connect(dsn)
    try:
        load_patients(backend, PATIENTS, {})
        psql = str(postgres_bin() / "psql") if (postgres_bin() / "psql").exists() else "psql"
        done = subprocess.run(
            [psql, "--csv", "-v", "ON_ERROR_STOP=1", "-f", str(script), dsn],
            env={**os.environ, "PGOPTIONS": f"-c search_path={backend.schema}"},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        backend.close()
    reader = csv.reader(io.StringIO(done.stdout))
    assert tuple(next(reader)) == OUTCOME_COLUMNS
    return sorted(tuple(r) for r in reader)


def boolean_values(sql: str, dialect: str) -> list[str]:
    """Where the parsed script holds a boolean as a value: a boolean-typed select-list column, a boolean
    aggregate, or a function given a boolean argument (all of which SQL Server rejects)."""
    (tree,) = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    tree = annotate_types(tree, dialect=dialect)
    aggregates = {"BOOL_OR", "BOOL_AND", "LOGICAL_OR", "LOGICAL_AND", "BOOLOR_AGG", "BOOLAND_AGG", "EVERY"}
    found = []
    for node in tree.walk():
        if isinstance(node, exp.Select):
            found += [p.sql(dialect) for p in node.expressions if p.is_type(exp.DataType.Type.BOOLEAN)]
        if (
            isinstance(node, exp.LogicalOr | exp.LogicalAnd)
            or (isinstance(node, exp.Anonymous) and node.name.upper() in aggregates)
            or (
                isinstance(node, exp.Func)
                and not isinstance(node, exp.Connector | exp.Predicate | exp.Case | exp.If)
                and any(a.is_type(exp.DataType.Type.BOOLEAN) for a in node.iter_expressions())
            )
        ):
            found.append(node.sql(dialect))
    return found


def test_the_postgres_script_run_with_psql_gives_the_engines_outcomes(tmp_path, postgres_dsn, expected):
    script = tmp_path / "can.sql"
    assert main(["sql", "--year", "2023-24", "--dialect", "postgres", "--out", str(script)]) == 0
    assert "GENERATED, UNTESTED" not in script.read_text()
    assert _run_with_psql(script, postgres_dsn) == expected


def test_the_tsql_script_holds_no_boolean_value():
    tsql = render_script(RULESET, PERIOD, CLUSTERS, "tsql")
    assert boolean_values(tsql, "tsql") == []
    # The check finds them where they are: the PostgreSQL script keeps one boolean column per rule.
    postgres = render_script(RULESET, PERIOD, CLUSTERS, "postgres")
    found = boolean_values(postgres, "postgres")
    assert any("BOOL_OR" in f for f in found) and any(f.endswith("AS can004_c0") for f in found)


def test_the_rewrite_without_booleans_gives_the_engines_outcomes_on_postgres(
    tmp_path, postgres_dsn, expected
):
    # PostgreSQL is strict about types: a 0/1 column left where a condition is read would fail there.
    sql = without_booleans(outcomes_query(RULESET, PERIOD, CLUSTERS)).sql("postgres", pretty=True)
    assert boolean_values(sql, "postgres") == []
    script = tmp_path / "no-booleans.sql"
    script.write_text(sql + ";\n")
    assert _run_with_psql(script, postgres_dsn) == expected


def test_the_rewrite_without_booleans_gives_the_engines_outcomes_on_duckdb(expected):
    sql = without_booleans(outcomes_query(RULESET, PERIOD, CLUSTERS)).sql("duckdb")
    assert boolean_values(sql, "duckdb") == []
    assert _run_on_duckdb(sql) == expected


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
    if dialect in ("spark", "databricks", "snowflake", "tsql"):
        assert _run_on_duckdb(tree.sql("duckdb")) == expected


def test_sql_rejects_an_unknown_dialect(capsys):
    assert main(["sql", "--year", "2023-24", "--dialect", "oracle"]) == 2
    assert "choose one of postgres" in capsys.readouterr().err
