"""Where the SQL runs: DuckDB in-process, or a Spark session. One small interface for both.

SQL text given to a backend is written in DuckDB's dialect and rendered for Spark by sqlglot; sqlglot
expression trees are rendered directly in the backend's dialect. So the input checks and the compiled
rules are written once, and the dialect differences live in sqlglot, not in branches here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from qof_cancer.errors import UserError

__all__ = ["Backend", "DuckDBBackend", "SparkBackend", "SqlLike", "spark_conf", "sql_string"]

SqlLike = str | exp.Expression


def sql_string(text: str) -> str:
    """`text` as a quoted SQL string literal (single quotes doubled), for SQL written as text."""
    return "'" + text.replace("'", "''") + "'"


class Backend(Protocol):
    dialect: str

    def execute(self, sql: SqlLike) -> None: ...
    def rows(self, sql: SqlLike) -> list[tuple]: ...
    def arrow(self, sql: SqlLike) -> pa.Table: ...
    def materialize(self, name: str, select: SqlLike, small: bool = False) -> None: ...
    def view(self, name: str, select: SqlLike, keep: bool = False) -> None: ...
    def register(self, name: str, table: pa.Table) -> None: ...
    def drop(self, name: str) -> None: ...
    def open_file(self, name: str, path: Path, fmt: str) -> dict[str, str]: ...


class DuckDBBackend:
    """An in-process DuckDB connection (the default engine)."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def _sql(self, sql: SqlLike) -> str:
        return sql.sql("duckdb") if isinstance(sql, exp.Expression) else sql

    def execute(self, sql: SqlLike) -> None:
        self.con.execute(self._sql(sql))

    def rows(self, sql: SqlLike) -> list[tuple]:
        return self.con.execute(self._sql(sql)).fetchall()

    def arrow(self, sql: SqlLike) -> pa.Table:
        relation = self.con.sql(self._sql(sql))
        # DuckDB 2 calls it to_arrow_table; 1.x calls it arrow.
        return (getattr(relation, "to_arrow_table", None) or relation.arrow)()

    def materialize(self, name: str, select: SqlLike, small: bool = False) -> None:
        """`small` (a table of one row per code, or so) changes nothing here: DuckDB plans its joins from
        the table's real size."""
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {self._sql(select)}")

    def view(self, name: str, select: SqlLike, keep: bool = False) -> None:
        """A view for this connection; with `keep`, one kept in the database file with the store's tables
        (for a view over kept tables only, that a later reader of the file needs)."""
        kind = "VIEW" if keep else "TEMP VIEW"
        self.con.execute(f"CREATE OR REPLACE {kind} {name} AS {self._sql(select)}")

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}__arrow", table)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}__arrow")
        self.con.unregister(f"{name}__arrow")

    def drop(self, name: str) -> None:
        """Drop table or view `name` if it exists (views made on it are left, as DuckDB allows)."""
        # duckdb_views() is read in a third of the time of information_schema (a union of every kind).
        view = self.con.execute(
            "SELECT 1 FROM duckdb_views() WHERE NOT internal AND view_name = ?", [name]
        ).fetchall()
        self.con.execute(f"DROP {'VIEW' if view else 'TABLE'} IF EXISTS {name}")

    def open_file(self, name: str, path: Path, fmt: str) -> dict[str, str]:
        literal = str(path / "*.parquet") if path.is_dir() else str(path)
        quoted = literal.replace("'", "''")
        if fmt == "csv":
            # Text columns, materialised in file order so that rowid is the record's position.
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name}__file AS SELECT * FROM "
                f"read_csv('{quoted}', all_varchar = true, header = true, sample_size = -1)"
            )
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *, rowid + 2 AS _row FROM {name}__file"
            )
        else:
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS _row FROM read_parquet('{quoted}', file_row_number = true)"
            )
        return {row[0]: row[1] for row in self.con.execute(f"DESCRIBE {name}").fetchall() if row[0] != "_row"}

    def close(self) -> None:
        self.con.close()


def spark_conf(text: str) -> dict[str, str]:
    """Spark settings from `QOF_SPARK_CONF`: `key=value` pairs separated by `;`, e.g.
    `spark.sql.shuffle.partitions=8;spark.sql.adaptive.enabled=false`. They are set last, so they
    override the local defaults (and `QOF_SPARK_PARTITIONS`, `QOF_SPARK_DRIVER_MEMORY`)."""
    conf = {}
    for pair in (p.strip() for p in text.split(";")):
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().startswith("spark.") or not value.strip():
            raise UserError(f"QOF_SPARK_CONF: {pair!r} is not spark.key=value (pairs separated by ';')")
        conf[key.strip()] = value.strip()
    return conf


class SparkBackend:
    """A Spark session (local or a cluster): the same checks and rules, rendered as Spark SQL."""

    dialect = "spark"

    def __init__(self, spark):
        self.spark = spark

    @classmethod
    def start(cls, master: str = "local[2]", app: str = "qof-cancer") -> SparkBackend:
        from pyspark.sql import SparkSession

        warehouse = tempfile.mkdtemp(prefix="qof-cancer-spark-")
        builder = (
            SparkSession.builder.master(master)
            .appName(app)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "true")
        )
        if master.startswith("local"):
            # In local mode the driver is the executor: its heap holds every cached table of the run.
            builder = builder.config(
                "spark.sql.shuffle.partitions", os.environ.get("QOF_SPARK_PARTITIONS", "4")
            ).config("spark.driver.memory", os.environ.get("QOF_SPARK_DRIVER_MEMORY", "2g"))
        for key, value in spark_conf(os.environ.get("QOF_SPARK_CONF", "")).items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return cls(spark)

    def _sql(self, sql: SqlLike) -> str:
        if isinstance(sql, exp.Expression):
            return sql.sql("spark")
        return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

    def execute(self, sql: SqlLike) -> None:
        self.spark.sql(self._sql(sql))

    def rows(self, sql: SqlLike) -> list[tuple]:
        return [tuple(r) for r in self.spark.sql(self._sql(sql)).collect()]

    def arrow(self, sql: SqlLike) -> pa.Table:
        return self.spark.sql(self._sql(sql)).toArrow()

    def materialize(self, name: str, select: SqlLike, small: bool = False) -> None:
        """Compute `select` now and keep its rows under `name`, with the query plan cut there: a later
        query over `name` plans a scan of those rows, not the whole lineage (a lazily cached view made
        every query over the run's stacked tables re-plan, and often recompute, all that led to them).
        A checkpoint directory (`spark.checkpoint.dir`, as on a cluster) makes the copy reliable;
        without one the rows are kept in the executors' block stores (`localCheckpoint`).

        `small` marks a table of a few thousand rows at most (one per code): every join with it
        broadcasts it. Spark sizes a checkpointed table by the estimate of the plan it came from (for
        the events file's distinct codes, the size of the whole file), so without the mark it shuffled
        every event row to join them to a few thousand codes."""
        frame = self.spark.sql(self._sql(select))
        if self.spark.sparkContext.getCheckpointDir():
            frame = frame.checkpoint(eager=True)
        else:
            frame = frame.localCheckpoint(eager=True)
        (frame.hint("broadcast") if small else frame).createOrReplaceTempView(name)

    def view(self, name: str, select: SqlLike, keep: bool = False) -> None:
        """A temporary view (`keep` is for engines with database files: a session keeps nothing)."""
        self.spark.sql(self._sql(select)).createOrReplaceTempView(name)

    def register(self, name: str, table: pa.Table) -> None:
        from pyspark.sql.types import StringType, StructField, StructType

        # Lookup tables are small and all text. Handed over as Arrow, the rows are read by the JVM
        # itself (plain Python rows are unpickled by Python workers in every job that reads them).
        schema = StructType([StructField(c, StringType(), True) for c in table.column_names])
        text = pa.table(
            {
                c: pa.array([None if v is None else str(v) for v in table.column(c).to_pylist()], pa.string())
                for c in table.column_names
            }
        )
        # Held in Python, so small: every join with it broadcasts it. Spark cannot size these rows, and so
        # shuffled both sides of each join with a code list (as for `materialize`'s `small`).
        self.spark.createDataFrame(text, schema=schema).hint("broadcast").createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        """Drop `name`: DROP TABLE removes a warehouse table's files, and also drops a temporary view."""
        self.spark.sql(f"DROP TABLE IF EXISTS {name}")

    def open_file(self, name: str, path: Path, fmt: str) -> dict[str, str]:
        reader = self.spark.read
        if fmt == "csv":
            frame = reader.option("header", True).option("inferSchema", False).csv(str(path))
            # zipWithIndex numbers records in file order (partition by partition): the spreadsheet row.
            from pyspark.sql.types import LongType, StructField

            indexed = frame.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 2))
            schema = frame.schema.add(StructField("_row", LongType(), False))
            frame = self.spark.createDataFrame(indexed, schema)
        else:
            target = str(path / "*.parquet") if path.is_dir() else str(path)
            frame = reader.parquet(target).selectExpr("*", "_metadata.row_index + 1 AS _row")
        frame.createOrReplaceTempView(name)
        return {f.name: f.dataType.simpleString().upper() for f in frame.schema.fields if f.name != "_row"}

    def close(self) -> None:
        for name in [t.name for t in self.spark.catalog.listTables() if t.isTemporary]:
            self.spark.catalog.dropTempView(name)
        # A run owns its session: stop it, so that nothing one run held (cached tables, plans, shuffle
        # memory) is left for the next run in the same process to run out of memory on. A later run
        # starts a new session in the same JVM.
        self.spark.catalog.clearCache()
        self.spark.stop()
