"""What features built on the outcomes (worklists, data quality, ...) can read, and how they plug in.

A feature is computed after the indicators, on the same DuckDB connection, and returns named tables.
`api.run` writes each table as `<name>.csv` and keeps it on the result for the report and dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.inputs.backends import Backend
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["RunContext", "Feature"]


@dataclass
class RunContext:
    """The run's backend holds tables `patients`, `events` (the codes of `cluster_codes` only),
    `cluster_codes`, `outcomes` and `rejects`. Features read them through `backend` (any engine);
    `con` is the DuckDB connection where the engine is DuckDB, for code not yet engine-neutral."""

    backend: Backend
    ruleset: RuleSet
    period: Period
    clusters: ClusterSet
    today: date
    summary_rows: list[dict]
    protected_points: dict[tuple[str, str], float] | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (features that are not yet engine-neutral); an error on other engines."""
        con = getattr(self.backend, "con", None)
        if con is None:
            raise TypeError(f"this feature needs DuckDB, not {self.backend.dialect}")
        return con


@dataclass(frozen=True)
class Feature:
    """A named computation over the outcomes, with any extra code lists it needs loaded."""

    name: str
    compute: Callable[[RunContext], dict[str, pa.Table]]
    extra_clusters: Callable[[], dict[str, frozenset[str]]] = field(default=lambda: {})
