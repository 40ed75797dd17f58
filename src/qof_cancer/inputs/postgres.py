"""Where the SQL runs, on PostgreSQL: the same checks and rules as on DuckDB, rendered for Postgres.

A run works in a schema of its own (`qof_run_<random>`, dropped when the run closes): every table and
view it makes goes there, so the user's tables are only ever read. Input files are read by DuckDB exactly
as the DuckDB engine reads them (same text columns, same row numbers, same unreadable-file messages) and
copied in with COPY; a table the user names (`postgres:schema.table` as the patients or events "file")
is read where it is, through a view.

Dialect differences are rewrites of the sqlglot tree before it is rendered (`_POSTGRES_PASSES`), not
branches in the SQL writers:
- DuckDB's TRY_CAST (NULL for a value that does not convert) has no Postgres equivalent: it becomes a
  call to a small function of the run's schema that catches the conversion error.
- ends_with(s, x) (DuckDB) becomes right(s, length(x)) = x; starts_with exists in Postgres 11+.
Month arithmetic (date + INTERVAL 'n MONTH' clamps at the month's end in both), boolean aggregates
(bool_or) and day differences are rendered by sqlglot's Postgres dialect unchanged; docs/warehouse.md
lists them.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from qof_cancer.errors import InputError, UserError

__all__ = ["PostgresBackend", "TABLE_PREFIX", "to_postgres"]

# `--patients postgres:schema.table`: read a table of the database instead of a file.
TABLE_PREFIX = "postgres:"

_TRY_FUNCTIONS = {"DATE": "qof_try_date", "DOUBLE": "qof_try_double", "INT": "qof_try_int"}
_FUNCTION_SQL = """
CREATE FUNCTION {schema}.qof_try_date(v text) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN RETURN v::date; EXCEPTION WHEN others THEN RETURN NULL; END $$;
CREATE FUNCTION {schema}.qof_try_double(v text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN RETURN v::double precision; EXCEPTION WHEN others THEN RETURN NULL; END $$;
CREATE FUNCTION {schema}.qof_try_int(v text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN RETURN v::integer; EXCEPTION WHEN others THEN RETURN NULL; END $$;
"""

# DuckDB type names (as DESCRIBE gives them) -> Postgres column types, for copying a file's columns.
_PG_TYPES = {
    "VARCHAR": "text",
    "DATE": "date",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
# Postgres type oids -> Arrow types, so a query's result has the types DuckDB's would have.
_ARROW_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    700: pa.float32(),
    701: pa.float64(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1700: pa.float64(),
}


def _try_cast_as_function(node: exp.Expression) -> exp.Expression:
    """TRY_CAST(x AS DATE|DOUBLE|INT) -> qof_try_<type>(CAST(x AS TEXT))."""
    if not isinstance(node, exp.TryCast):
        return node
    kind = node.to.this
    name = {
        exp.DataType.Type.DATE: "DATE",
        exp.DataType.Type.DOUBLE: "DOUBLE",
        exp.DataType.Type.INT: "INT",
        exp.DataType.Type.BIGINT: "INT",
    }.get(kind)
    if name is None:
        raise NotImplementedError(f"TRY_CAST to {node.to.sql()} has no Postgres rewrite")
    text = exp.cast(node.this, exp.DataType.build("TEXT"))
    return exp.Anonymous(this=_TRY_FUNCTIONS[name], expressions=[text])


def _ends_with(node: exp.Expression) -> exp.Expression:
    """ends_with(s, x) (DuckDB) -> right(s, length(x)) = x."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "ends_with":
        text, suffix = node.expressions
        return exp.EQ(
            this=exp.func("RIGHT", text, exp.Length(this=suffix.copy())),
            expression=suffix.copy(),
        )
    if type(node).__name__ == "EndsWith":  # newer sqlglot parses it to a node of its own
        text, suffix = node.this, node.expression
        return exp.EQ(this=exp.func("RIGHT", text, exp.Length(this=suffix.copy())), expression=suffix.copy())
    return node


_POSTGRES_PASSES = (_try_cast_as_function, _ends_with)


def to_postgres(sql: str | exp.Expression, read: str = "duckdb") -> str:
    """A sqlglot tree, or SQL text in DuckDB's dialect, rendered for PostgreSQL."""
    tree = sql.copy() if isinstance(sql, exp.Expression) else sqlglot.parse_one(sql, read=read)
    for rewrite in _POSTGRES_PASSES:
        tree = tree.transform(rewrite)
    return tree.sql("postgres")


class PostgresBackend:
    """A PostgreSQL connection, working in a schema of its own (dropped on close)."""

    dialect = "postgres"

    def __init__(self, connection, schema: str):
        self.connection = connection
        self.schema = schema

    @classmethod
    def connect(cls, dsn: str) -> PostgresBackend:
        """Connect (libpq `dsn`: 'host=... dbname=...' or a postgresql:// URL) and create the run's schema."""
        try:
            import psycopg
        except ImportError:
            raise UserError("--engine postgres needs psycopg: pip install 'qof-cancer[postgres]'") from None
        try:
            connection = psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"--dsn: cannot connect to PostgreSQL: {first}") from None
        schema = f"qof_run_{secrets.token_hex(4)}"
        with connection.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {schema}")
            # The run's own names first; the user's tables (named with their schema) are only read.
            cur.execute(f"SET search_path TO {schema}, public")
            cur.execute("SET datestyle TO ISO, YMD")
            cur.execute(_FUNCTION_SQL.format(schema=schema))
        return cls(connection, schema)

    def _sql(self, sql: str | exp.Expression) -> str:
        return to_postgres(sql)

    def execute(self, sql: str | exp.Expression) -> None:
        with self.connection.cursor() as cur:
            cur.execute(self._sql(sql))

    def rows(self, sql: str | exp.Expression) -> list[tuple]:
        with self.connection.cursor() as cur:
            cur.execute(self._sql(sql))
            return [tuple(r) for r in cur.fetchall()]

    def arrow(self, sql: str | exp.Expression) -> pa.Table:
        with self.connection.cursor() as cur:
            cur.execute(self._sql(sql))
            names = [d.name for d in cur.description]
            types = [_ARROW_TYPES.get(d.type_code, pa.string()) for d in cur.description]
            data = cur.fetchall()
        columns = [[row[i] for row in data] for i in range(len(names))]
        fields = [pa.field(n, t) for n, t in zip(names, types, strict=True)]
        return pa.table(
            [pa.array(c, type=f.type) for c, f in zip(columns, fields, strict=True)],
            schema=pa.schema(fields),
        )

    def drop(self, name: str) -> None:
        """Drop `name` from the run's schema, table or view, with what was made on it (CASCADE: PostgreSQL
        refuses otherwise; as CREATE OR REPLACE and DROP do on DuckDB)."""
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
                (self.schema, name),
            )
            found = cur.fetchone()
            if found:
                kind = "VIEW" if found[0] == "v" else "TABLE"
                cur.execute(f'DROP {kind} {self.schema}."{name}" CASCADE')

    def materialize(self, name: str, select: str | exp.Expression, small: bool = False) -> None:
        """`small` changes nothing here: ANALYZE gives the planner the table's real size."""
        self.drop(name)
        with self.connection.cursor() as cur:
            cur.execute(f'CREATE TABLE {self.schema}."{name}" AS {self._sql(select)}')
            cur.execute(f'ANALYZE {self.schema}."{name}"')  # the planner needs sizes for the joins

    def view(self, name: str, select: str | exp.Expression, keep: bool = False) -> None:
        """A view in the run's schema (kept, as every PostgreSQL view is: `keep` changes nothing)."""
        self.drop(name)
        with self.connection.cursor() as cur:
            cur.execute(f'CREATE VIEW {self.schema}."{name}" AS {self._sql(select)}')

    def register(self, name: str, table: pa.Table) -> None:
        scratch = duckdb.connect()
        try:
            scratch.register("arrow_table", table)
            scratch.execute("CREATE VIEW t AS SELECT * FROM arrow_table")
            self._copy_from_duckdb(scratch, "t", name)
        finally:
            scratch.close()

    def open_file(self, name: str, path: Path, fmt: str) -> dict[str, str]:
        text = str(path)
        if text.startswith(TABLE_PREFIX):
            return self.open_table(name, text[len(TABLE_PREFIX) :])
        # DuckDB reads the file exactly as the DuckDB engine does (text columns and row numbers), then
        # the rows are copied in: one reading of CSV for every engine.
        from qof_cancer.inputs.backends import DuckDBBackend

        scratch = DuckDBBackend(duckdb.connect())
        try:
            described = scratch.open_file(name, path, fmt)
            self._copy_from_duckdb(scratch.con, name, name)
        finally:
            scratch.close()
        return described

    def open_table(self, name: str, table: str) -> dict[str, str]:
        """A view `name` over the user's table (`schema.table` or `table`), with a `_row` reference.

        The row reference of a table is its position in a stable order of all its columns, so that
        rejects.csv can name a row the analyst can find again (SELECT ... ORDER BY every column)."""
        parts = table.split(".")
        if not 1 <= len(parts) <= 2 or not all(parts):
            raise InputError(f"{TABLE_PREFIX}{table}: give the table as schema.table or table")
        schema, relname = parts if len(parts) == 2 else ["public", parts[0]]
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (schema, relname),
            )
            columns = cur.fetchall()
        if not columns:
            raise InputError(f"{TABLE_PREFIX}{table}: no such table (or no columns) in the database")
        order = ", ".join(f'"{c}"' for c, _ in columns)
        self.drop(name)
        with self.connection.cursor() as cur:
            cur.execute(
                f'CREATE VIEW {self.schema}."{name}" AS SELECT *, row_number() OVER (ORDER BY {order}) '
                f'AS _row FROM "{schema}"."{relname}"'
            )
        return {c: _duckdb_type(t) for c, t in columns}

    def _copy_from_duckdb(self, con: duckdb.DuckDBPyConnection, relation: str, name: str) -> None:
        """Create table `name` in the run's schema with `relation`'s columns and copy its rows in."""
        described = con.execute(f'DESCRIBE "{relation}"').fetchall()
        columns, names, casts = [], [], []
        for column, kind, *_ in described:
            pg = _PG_TYPES.get(kind.upper())
            quoted = '"' + column.replace('"', '""') + '"'
            if pg is None:  # a type with no simple counterpart travels as text
                pg, select = "text", f"CAST({quoted} AS VARCHAR)"
            else:
                select = quoted
            columns.append(f"{quoted} {pg}")
            names.append(quoted)
            casts.append(select)
        self.drop(name)
        with self.connection.cursor() as cur:
            cur.execute(f'CREATE TABLE {self.schema}."{name}" ({", ".join(columns)})')
            # CSV keeps NULL (unquoted empty) apart from the empty string (quoted): DuckDB writes both so.
            rel = con.sql(f'SELECT {", ".join(casts)} FROM "{relation}"')
            # DuckDB 2 calls it to_arrow_reader; 1.x calls it fetch_arrow_reader.
            reader = (getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader)(100_000)
            target = f'{self.schema}."{name}" ({", ".join(names)})'
            with cur.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
                for batch in reader:
                    copy.write(_csv_bytes(batch))
            cur.execute(f'ANALYZE {self.schema}."{name}"')

    def close(self) -> None:
        try:
            with self.connection.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        finally:
            self.connection.close()


def _csv_bytes(batch: pa.RecordBatch) -> bytes:
    """A batch as CSV without a header: nulls empty and unquoted, every string quoted."""
    import pyarrow.csv as pacsv

    sink = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    pacsv.write_csv(pa.Table.from_batches([batch]), sink, write_options=options)
    return sink.getvalue()


def _duckdb_type(pg_type: str) -> str:
    """A Postgres column type (information_schema) as the DuckDB type name the input checks expect."""
    pg_type = pg_type.lower()
    if pg_type in ("text", "character varying", "character"):
        return "VARCHAR"
    if pg_type == "date":
        return "DATE"
    if pg_type.startswith("timestamp"):
        return "TIMESTAMP"
    if pg_type in ("integer", "bigint", "smallint"):
        return "BIGINT"
    if pg_type in ("double precision", "real"):
        return "DOUBLE"
    if pg_type == "numeric":
        return "DECIMAL"
    return pg_type.upper()
