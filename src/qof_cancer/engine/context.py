"""What features built on the outcomes (worklists, data quality, ...) can read, and how they plug in.

A feature is computed after the indicators, in the run's store (`engine.run.Run`, on any engine), and
returns named tables: Arrow for a small table built in Python, or a `StoreTable` naming a table the
backend materialised in the store (`feature_<name>`), which stays there (engine/tables.py). `api.run`
writes each table as `<name>.csv` and keeps it on the result for the report and dashboard. A feature that cannot run on the run's engine raises `FeatureUnsupported` (reading
`context.con` on an engine other than DuckDB does), and the run says so in the terminal and in run.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.run import Run
from qof_cancer.engine.tables import StoreTable
from qof_cancer.inputs.backends import Backend
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["RunContext", "Feature", "FeatureUnsupported", "StoreTable", "FeatureTables"]


FeatureTables = dict[str, pa.Table | StoreTable]


class FeatureUnsupported(TypeError):
    """A feature that cannot run on this run's engine (the run goes on without it, and says so)."""


@dataclass
class RunContext:
    """The run's backend holds tables `patients`, `events` (the codes of `cluster_codes` only),
    `cluster_codes`, `outcomes`, `population`, `can_dat`, `rule_facts` and `rejects`. Features read them
    through `backend` (any engine) and evaluate the rules on other data with `run.scenario`; `con` is the
    DuckDB connection where the engine is DuckDB, for code not yet engine-neutral."""

    backend: Backend
    ruleset: RuleSet
    period: Period
    clusters: ClusterSet
    today: date
    summary_rows: list[dict]
    protected_points: dict[tuple[str, str], float] | None = None
    run: Run | None = None  # the run's store (None only for a context built by hand, without one)

    @property
    def store(self) -> Run:
        """The run's store, for `scenario(...)`; an error when the context was built without one."""
        if self.run is None:
            raise TypeError("this feature needs the run's store (RunContext.run)")
        return self.run

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (features that are not yet engine-neutral); an error on other engines."""
        con = getattr(self.backend, "con", None)
        if con is None:
            raise FeatureUnsupported(f"it needs DuckDB, not {self.backend.dialect}")
        return con


@dataclass(frozen=True)
class Feature:
    """A named computation over the outcomes, with any extra code lists it needs loaded.

    `prepare` is work the feature needs that takes nothing from the run (reading published files,
    fitting a model on them), which `compute` finds ready: the run does it on a thread of its own once
    the inputs are read, beside the rules (`qof_cancer.prepared`), and waits for it just before
    `compute`. An error in it is raised there, as `compute` would have raised it."""

    name: str
    compute: Callable[[RunContext], FeatureTables]
    extra_clusters: Callable[[], dict[str, frozenset[str]]] = field(default=lambda: {})
    prepare: Callable[[], object] | None = None
