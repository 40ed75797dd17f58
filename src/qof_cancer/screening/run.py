"""The PCN cancer screening tables, computed in a run's store (`engine.Run`).

`run_screening` is `qof-cancer screening`: it opens a store of its own from a patients and an events file
(checked as every run checks them, loading the screening code lists) and computes in it; its `rejects`
table is the rows the checks did not take. `screening_from_store` computes in a store already open, such
as the dashboard's run (whose `events` must hold the screening clusters' records: `screening_clusters`
gives them to the run as `keep_clusters`); its rejects are the run's own, reported once, by the run.

Tables (pyarrow, by name; `outputs.screening` writes each as `<name>.csv`):
coverage, non_responders, groups, contacts, contacts_to_correct, results_pending, pcn_summary, and
plan_progress when a plan is given. Only pcn_summary is meant to leave the practice.

The SQL is DuckDB's: on a store of another engine `screening_from_store` raises `FeatureUnsupported`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet, load_clusters
from qof_cancer.engine.context import FeatureUnsupported
from qof_cancer.engine.run import Run
from qof_cancer.errors import UserError
from qof_cancer.inputs import LoadReport
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.screening.cohort import build_cohort
from qof_cancer.screening.contacts import classify_phones, contacts_summary_sql, contacts_to_correct_sql
from qof_cancer.screening.coverage import coverage_sql, define_wilson, groups_sql
from qof_cancer.screening.followup import non_responders_sql, results_pending_sql
from qof_cancer.screening.plan import load_plan
from qof_cancer.screening.progress import PROGRESS_COLUMNS, plan_progress
from qof_cancer.screening.settings import ScreeningSettings, load_settings
from qof_cancer.screening.summary import SUMMARY_COLUMNS, build_pcn_summary
from qof_cancer.screening.suppression import Policy

__all__ = ["ScreeningResult", "run_screening", "screening_from_store", "screening_clusters", "SHARED_TABLES"]

SHARED_TABLES = ("pcn_summary",)  # the only tables meant to leave a practice


@dataclass
class ScreeningResult:
    as_of: date
    settings: ScreeningSettings
    clusters: ClusterSet
    load: LoadReport
    tables: dict[str, pa.Table] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    phone_numbers: int = 0
    cohort: pa.Table | None = (
        None  # patient x programme on the reference date (COHORT_COLUMNS); never written
    )


def screening_clusters(codes: str | Path | None, settings: ScreeningSettings | None = None) -> ClusterSet:
    """The screening code lists (bundled, or replaced from the `codes` folder) that `settings` read."""
    settings = settings or load_settings()
    everything = load_clusters(codes, groups=("screening",))
    wanted = {cid: everything[cid] for cid in settings.clusters() if cid in everything.clusters}
    needed = sorted({c for p in settings.programmes for c in p.covered})
    ClusterSet(wanted).require(tuple(needed))
    return ClusterSet(wanted)


def _warnings(clusters: ClusterSet, settings: ScreeningSettings) -> list[str]:
    out = list(clusters.warnings())
    missing = [c for c in settings.clusters() if c not in clusters.clusters or not clusters[c].codes]
    if missing:
        out.append(
            f"{', '.join(missing)}: no codes, so the records they stand for (declines, non-response, ...) "
            "cannot be seen; import the refsets or add practice codes with --codes."
        )
    return out


def _check_as_of(as_of: date, today: date) -> None:
    if as_of > today:
        raise UserError(
            f"--as-of {as_of.isoformat()}: after today ({today.isoformat()}); records cannot be ahead"
        )


def run_screening(
    patients: str | Path,
    events: str | Path,
    as_of: date | None = None,
    codes: str | Path | None = None,
    plan: str | Path | None = None,
    settings_file: str | Path | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScreeningResult:
    """Compute every screening table for the reference date `as_of` (default today), in a store of its
    own opened on the two files; the rows the checks did not take are the table `rejects`."""
    say = progress or (lambda _msg: None)
    today = today or date.today()
    as_of = as_of or today
    _check_as_of(as_of, today)
    settings = load_settings(settings_file)
    actions = load_plan(plan) if plan is not None else None
    clusters = screening_clusters(codes, settings)

    backend = DuckDBBackend(duckdb.connect(":memory:"))
    try:
        say("Reading and checking the input files")
        store = Run.open(backend, clusters, patients, events, today)
        result = _compute(store, as_of, clusters, settings, actions, say)
        if store.load.rows_rejected:
            result.tables["rejects"] = store.rejects()
    finally:
        backend.close()
    return result


def screening_from_store(
    store: Run,
    as_of: date,
    clusters: ClusterSet,
    plan: str | Path | None = None,
    settings_file: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScreeningResult:
    """Every screening table for `as_of`, computed on the `patients` and `events` an open store loaded.

    `clusters` are the screening code lists (`screening_clusters`, with the same settings), whose codes
    the store must have loaded (a ValueError names any it did not: coverage counted without them would
    be wrong in silence). No `rejects` table: the store's run reports its own rejects. The work tables
    are temporary, on the store's connection. DuckDB only (FeatureUnsupported otherwise).
    """
    if not isinstance(store.backend, DuckDBBackend):
        raise FeatureUnsupported(f"screening runs on DuckDB only, not on {store.backend.dialect}")
    loaded = dict(store.backend.rows("SELECT cluster_id, count(*) FROM cluster_codes GROUP BY cluster_id"))
    missing = sorted(c.id for c in clusters.clusters.values() if loaded.get(c.id, 0) != len(c.codes))
    if missing:
        raise ValueError(f"the store did not load the screening code lists {', '.join(missing)}")
    _check_as_of(as_of, store.today)
    settings = load_settings(settings_file)
    actions = load_plan(plan) if plan is not None else None
    return _compute(store, as_of, clusters, settings, actions, progress or (lambda _msg: None))


def _compute(
    store: Run,
    as_of: date,
    clusters: ClusterSet,
    settings: ScreeningSettings,
    actions: list | None,
    say: Callable[[str], None],
) -> ScreeningResult:
    backend = store.backend
    con = backend.con
    result = ScreeningResult(as_of, settings, clusters, store.load, warnings=_warnings(clusters, settings))
    say("Checking phone numbers")
    result.phone_numbers = classify_phones(con)
    define_wilson(con, settings.confidence_z)

    cohorts: dict[date, str] = {}

    def cohort_for(day: date) -> str:
        if day not in cohorts:
            cohorts[day] = "scr_cohort" if not cohorts else f"scr_cohort_{len(cohorts)}"
            build_cohort(con, settings, day, cohorts[day])
        return cohorts[day]

    say(f"Building the screening cohorts on {as_of.isoformat()}")
    cohort = cohort_for(as_of)
    result.cohort = backend.arrow(f"SELECT * FROM {cohort}")
    code_lists = {
        p.id: "; ".join(f"{c} {clusters[c].status}" for c in p.clusters() if c in clusters.clusters)
        for p in settings.programmes
    }
    tables = result.tables
    tables["coverage"] = backend.arrow(coverage_sql(cohort, settings, code_lists))
    tables["groups"] = backend.arrow(groups_sql(cohort, settings.flag_min_eligible))
    tables["non_responders"] = backend.arrow(non_responders_sql(cohort, as_of))
    tables["contacts"] = backend.arrow(contacts_summary_sql(cohort))
    tables["contacts_to_correct"] = backend.arrow(contacts_to_correct_sql(cohort))
    tables["results_pending"] = backend.arrow(results_pending_sql(settings, as_of))
    if actions is not None:
        say("Measuring the action plan")
        known = {cid for cid, cluster in clusters.clusters.items() if cluster.codes}
        rows = plan_progress(con, settings, actions, as_of, cohort_for, known)
        tables["plan_progress"] = _table(rows, PROGRESS_COLUMNS)
    policy = Policy(settings.max_suppressed, settings.round_to)
    summary = build_pcn_summary(tables["coverage"].to_pylist(), tables["groups"].to_pylist(), policy)
    tables["pcn_summary"] = _table(summary, SUMMARY_COLUMNS)
    return result


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    if not rows:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
