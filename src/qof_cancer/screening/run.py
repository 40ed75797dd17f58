"""`run_screening`: the PCN cancer screening tables from a patients and an events file.

Tables (pyarrow, by name; `outputs.screening` writes each as `<name>.csv`):
coverage, non_responders, groups, contacts, contacts_to_correct, results_pending, pcn_summary, and
plan_progress when a plan is given. Only pcn_summary is meant to leave the practice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from qof_cancer.codes import ClusterSet, load_clusters
from qof_cancer.engine.evaluate import load_cluster_codes
from qof_cancer.errors import UserError
from qof_cancer.inputs import LoadReport, load_inputs
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

__all__ = ["ScreeningResult", "run_screening", "SHARED_TABLES"]

SHARED_TABLES = ("pcn_summary",)  # the only tables meant to leave a practice
_REJECTS = 'SELECT file, "row", "column", value, reason, action FROM rejects ORDER BY file, "row", "column"'


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


def _screening_clusters(codes: str | Path | None, settings: ScreeningSettings) -> ClusterSet:
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
    """Compute every screening table for the reference date `as_of` (default today)."""
    say = progress or (lambda _msg: None)
    today = today or date.today()
    as_of = as_of or today
    if as_of > today:
        raise UserError(
            f"--as-of {as_of.isoformat()}: after today ({today.isoformat()}); records cannot be ahead"
        )
    settings = load_settings(settings_file)
    actions = load_plan(plan) if plan is not None else None
    clusters = _screening_clusters(codes, settings)

    con = duckdb.connect(":memory:")
    backend = DuckDBBackend(con)
    load_cluster_codes(backend, clusters)
    say("Reading and checking the input files")
    report = load_inputs(backend, patients, events, today)
    result = ScreeningResult(as_of, settings, clusters, report, warnings=_warnings(clusters, settings))
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
        rows = plan_progress(con, settings, actions, as_of, cohort_for)
        tables["plan_progress"] = _table(rows, PROGRESS_COLUMNS)
    policy = Policy(settings.max_suppressed, settings.round_to)
    summary = build_pcn_summary(tables["coverage"].to_pylist(), tables["groups"].to_pylist(), policy)
    tables["pcn_summary"] = _table(summary, SUMMARY_COLUMNS)
    if report.rows_rejected:
        tables["rejects"] = backend.arrow(_REJECTS)
    con.close()
    return result


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    if not rows:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
