"""The working tables of one data-quality computation, made on the run's backend and dropped after."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from qof_cancer.inputs.backends import Backend, SqlLike

__all__ = ["WorkTables"]


class WorkTables:
    """The backend, and the `dq_` tables made on it, to drop when the feature is done."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.names: list[str] = []

    def materialize(self, name: str, select: SqlLike) -> None:
        """`select` computed now as table `name`."""
        spark = getattr(self.backend, "spark", None)
        if spark is None:
            self.backend.materialize(name, select)
        else:
            # A Spark view keeps the whole plan it was made from, and each table here is made from the
            # ones before: left so, the plans of the last tables hold every check many times over and
            # outgrow the driver's memory (a local checkpoint cuts the plan too, but Spark then fails
            # on the union of the checks' tables). Written as a table of the session's warehouse, each
            # table is read back as files, so each plan starts from the tables before it.
            staging = f"{name}__select"
            self.backend.view(staging, select)
            spark.table(staging).write.mode("overwrite").saveAsTable(name)
            spark.catalog.dropTempView(staging)
        self.names.append(name)

    def union(self, name: str, parts: Mapping[str, str]) -> str | None:
        """The rows of every select in `parts` (a table name -> its select), computed now; a select of
        them all is returned (None for no parts). On Spark each part is made as the table it names (see
        `materialize`); elsewhere all of them are one table `name`, made by one query (a query costs its
        planning: fifteen checks planned one by one cost a quarter of the checks' time at a million
        patients, and the engine runs the parts of one query side by side)."""
        if not parts:
            return None
        if getattr(self.backend, "spark", None) is not None:
            for part, select in parts.items():
                self.materialize(part, select)
            return " UNION ALL ".join(f"SELECT * FROM {part}" for part in parts)
        self.materialize(
            name, " UNION ALL ".join(f"SELECT * FROM ({select}) AS {part}" for part, select in parts.items())
        )
        return f"SELECT * FROM {name}"

    def register(self, name: str, table: pa.Table) -> None:
        self.backend.register(name, table)
        self.names.append(name)

    def drop(self) -> None:
        for name in reversed(self.names):
            self.backend.drop(name)
        self.names.clear()
