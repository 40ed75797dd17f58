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

    def register(self, name: str, table: pa.Table) -> None:
        self.backend.register(name, table)
        self.names.append(name)

    def drop(self) -> None:
        for name in reversed(self.names):
            self.backend.drop(name)
        self.names.clear()
