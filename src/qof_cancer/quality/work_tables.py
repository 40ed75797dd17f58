"""The working tables of one data-quality computation, made on the run's backend and dropped after."""

from __future__ import annotations

import pyarrow as pa

from qof_cancer.inputs.backends import Backend, SqlLike

__all__ = ["WorkTables"]


class WorkTables:
    """The backend, and the `dq_` tables made on it, to drop when the feature is done."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.names: list[str] = []

    def materialize(self, name: str, select: SqlLike) -> None:
        self.backend.materialize(name, select)
        self.names.append(name)

    def register(self, name: str, table: pa.Table) -> None:
        self.backend.register(name, table)
        self.names.append(name)

    def drop(self) -> None:
        for name in reversed(self.names):
            # DROP TABLE also drops (and uncaches) a Spark temporary view.
            self.backend.execute(f"DROP TABLE IF EXISTS {name}")
        self.names.clear()
