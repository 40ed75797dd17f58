"""Fixtures every test folder can use: a throwaway PostgreSQL for the session, and `engine`, the rules on
each engine in turn (reference, DuckDB, Spark, PostgreSQL).

Spark and PostgreSQL tests are skipped when their runtime is missing, unless QOF_REQUIRE_SPARK=1 or
QOF_REQUIRE_POSTGRES=1 (as `make test` sets both): then a missing runtime fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.postgres_server import postgres_bin, start_postgres

ENGINES = ("reference", "duckdb", "spark", "postgres")


def _missing_spark() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark (pip install 'qof-cancer[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java"
    return None


def _missing_postgres() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (pip install 'qof-cancer[postgres]')"
    if postgres_bin() is None:
        return "the PostgreSQL server (apt-get install postgresql)"
    return None


def require(kind: str) -> None:
    """Skip the test when the engine's runtime is missing; fail instead when it is required."""
    missing = {"spark": _missing_spark, "postgres": _missing_postgres}[kind]()
    if missing is None:
        return
    if os.environ.get(f"QOF_REQUIRE_{kind.upper()}") == "1":
        pytest.fail(f"{kind} tests required (QOF_REQUIRE_{kind.upper()}=1) but missing: {missing}")
    pytest.skip(f"needs {missing}")


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A libpq connection string to a throwaway PostgreSQL server, started once for the session."""
    require("postgres")
    server = start_postgres()
    try:
        yield server.dsn
    finally:
        server.stop()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    """Each engine in turn, as a tests.engines.runner.Engine: one backend per test module (a Spark run
    elsewhere stops the shared Spark session when it closes, so none is kept across modules)."""
    from tests.engines.runner import ReferenceEngine, SqlEngine

    name = request.param
    if name == "reference":
        yield ReferenceEngine()
        return
    if name == "duckdb":
        import duckdb

        from qof_cancer.inputs.backends import DuckDBBackend

        backend = DuckDBBackend(duckdb.connect())
    elif name == "spark":
        require("spark")
        from qof_cancer.inputs.backends import SparkBackend

        backend = SparkBackend.start()
    else:
        from qof_cancer.inputs.postgres import PostgresBackend

        backend = PostgresBackend.connect(request.getfixturevalue("postgres_dsn"))
    try:
        yield SqlEngine(name, backend)
    finally:
        backend.close()
