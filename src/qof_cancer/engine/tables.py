"""A run's feature tables: kept in the run's store where the engine computed them, fetched into Arrow only
when read.

A feature returns each of its tables either as Arrow (a small table built in Python) or as a
`StoreTable`: the name of a table the backend materialised in the store (`feature_<name>`, see
`engine.run.feature_table`), with the columns it shows and the order its rows are read in. `RunTables`
is what `RunResult.tables` holds: a read-only mapping name -> Arrow table that converts a stored table
on first access and keeps the Arrow after.

The store does not outlive the run (an in-memory DuckDB database, a Spark session and a PostgreSQL
schema are closed when `run` returns), so `close` decides what each table becomes:

- `close(keep=False)` (the store dies with the run): every table not yet fetched is fetched then, once,
  after the output files were written from the store; the result holds Arrow only.
- `close(keep=True)` (a store in a database file, the dashboard's): nothing is fetched; the columns and
  row counts are read (no rows leave the engine) and a later read opens the file read-only for the one
  table. The dashboard re-points the tables at its own connection to the file (`attach`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa

from qof_cancer.inputs.backends import Backend

__all__ = ["StoreTable", "RunTables", "Fetch", "quote_name"]

Fetch = Callable[[str], pa.Table]


def quote_name(name: str) -> str:
    """`name` as a quoted SQL identifier (DuckDB dialect, which the backends transpile)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class StoreTable:
    """A feature's table that the backend materialised in the run's store, handed back by name.

    `name` is the store's table (`feature_<name>`); `columns` what the table shows, in order; `order` the
    SQL terms its rows are read and written in (DuckDB dialect, e.g. `changes_outcome DESC NULLS LAST`;
    an engine does not keep a table's row order); `schema` the Arrow types a fetch is cast to."""

    name: str
    columns: tuple[str, ...]
    order: tuple[str, ...] = ()
    schema: pa.Schema | None = None

    def select_sql(self) -> str:
        """The table's rows, its columns in order, as a query in DuckDB's dialect."""
        sql = f"SELECT {', '.join(quote_name(c) for c in self.columns)} FROM {self.name}"
        return sql + (f" ORDER BY {', '.join(self.order)}" if self.order else "")


class RunTables(Mapping[str, pa.Table]):
    """name -> Arrow table: tables given as Arrow, and tables kept in the run's store (`StoreTable`),
    fetched on first access through `fetch` (the backend's `arrow` while the run is open)."""

    def __init__(self, fetch: Fetch | None = None) -> None:
        self._arrow: dict[str, pa.Table] = {}
        self._stored: dict[str, StoreTable] = {}
        self._in_store: set[str] = set()  # given as store tables (fetched since or not)
        self._order: list[str] = []
        self._fetch = fetch
        self._shape: dict[str, tuple[tuple[str, ...], int]] = {}  # after close(keep=True)
        self._lock = threading.Lock()  # the dashboard's pages read from several threads

    # -- filling -------------------------------------------------------------------------------------------
    def __setitem__(self, name: str, table: pa.Table | StoreTable) -> None:
        if name not in self._arrow and name not in self._stored:
            self._order.append(name)
        self._arrow.pop(name, None)
        self._stored.pop(name, None)
        self._shape.pop(name, None)
        self._in_store.discard(name)
        if isinstance(table, StoreTable):
            self._stored[name] = table
            self._in_store.add(name)
        else:
            self._arrow[name] = table

    def update(self, tables: Mapping[str, pa.Table | StoreTable]) -> None:
        for name, table in tables.items():
            self[name] = table

    # -- reading -------------------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> pa.Table:
        if name in self._arrow:
            return self._arrow[name]
        with self._lock:  # one fetch of a table, however many threads ask at once
            if name in self._arrow:
                return self._arrow[name]
            stored = self._stored.get(name)
            if stored is None:
                raise KeyError(name)
            if self._fetch is None:
                raise LookupError(f"table {name} is in a store that is closed")
            table = self._fetch(stored.select_sql())
            if stored.schema is not None:
                table = table.cast(stored.schema)
            self._arrow[name] = table
            del self._stored[name]
            return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._arrow or name in self._stored

    def stored(self, name: str) -> StoreTable | None:
        """The store table behind `name` while it has not been fetched (None for an Arrow table)."""
        return self._stored.get(name)

    def in_store(self, name: str) -> bool:
        """Whether `name` was given as a table of the store (fetched since or not)."""
        return name in self._in_store

    def is_fetched(self, name: str) -> bool:
        """Whether `name` is held as Arrow (given so, or fetched already)."""
        return name in self._arrow

    def columns(self, name: str) -> list[str]:
        """The columns of table `name`, without fetching its rows."""
        stored = self._stored.get(name)
        return list(stored.columns) if stored is not None else self[name].column_names

    def num_rows(self, name: str, backend: Backend | None = None) -> int:
        """The rows of table `name`: counted by the engine (`backend`, or as read at close) when it has
        not been fetched."""
        if name in self._arrow:
            return self._arrow[name].num_rows
        if name in self._shape:
            return self._shape[name][1]
        stored = self._stored.get(name)
        if stored is None or backend is None:  # fetched meanwhile, or no engine to count it
            return self[name].num_rows
        return int(backend.rows(f"SELECT count(*) FROM {stored.name}")[0][0])

    # -- the store's end -----------------------------------------------------------------------------------
    def close(self, backend: Backend, keep: bool, reopen: Fetch | None = None) -> None:
        """Before the store closes: fetch every stored table (`keep=False`), or keep them in the store
        and read them after through `reopen` (`keep=True`, a store in a database file)."""
        if not keep:
            for name in list(self._stored):
                self[name]  # noqa: B018 - fetched now, while the store is open
            self._fetch = None
            return
        for name in self._stored:
            self._shape[name] = (self._stored[name].columns, self.num_rows(name, backend))
        self._fetch = reopen

    def attach(self, fetch: Fetch) -> None:
        """Read stored tables through `fetch` from now on (the dashboard's connection to the file)."""
        self._fetch = fetch

    @contextmanager
    def fetching_through(self, fetch: Fetch) -> Iterator[None]:
        """Read stored tables through `fetch` inside the block, then as before: a second connection to
        the store, for a thread that reads tables while the run's own connection is busy."""
        with self._lock:
            before, self._fetch = self._fetch, fetch
        try:
            yield
        finally:
            with self._lock:
                self._fetch = before
