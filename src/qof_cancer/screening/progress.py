"""Measure each action of the plan from the data: baseline, now, expected by now, on track or not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

from qof_cancer.errors import UserError
from qof_cancer.screening.followup import results_pending_sql
from qof_cancer.screening.plan import MEASURES, Action, describe_group, judge
from qof_cancer.screening.settings import ScreeningSettings

__all__ = ["plan_progress", "PROGRESS_COLUMNS"]

PROGRESS_COLUMNS = (
    "id",
    "title",
    "owner",
    "programme",
    "practice",
    "group",
    "measure",
    "measure_means",
    "baseline",
    "baseline_when",
    "now",
    "now_when",
    "target",
    "start",
    "end",
    "expected_now",
    "status",
)
CohortFor = Callable[[date], str]  # the name of the cohort table for a reference date (built on demand)


def _filters(action: Action) -> tuple[str, list]:
    where, params = ["c.programme = ?", "c.eligible"], [action.programme]
    if action.practice:
        where.append("c.practice_code = ?")
        params.append(action.practice)
    if action.group:
        where.append(f'CAST(c."{action.group[0]}" AS VARCHAR) = ?')
        params.append(action.group[1])
    return " AND ".join(where), params


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> float | None:
    value = con.execute(sql, params).fetchone()[0]
    return None if value is None else round(float(value), 1)


def _coverage(con, action: Action, cohort: str) -> float | None:
    where, params = _filters(action)
    sql = f"SELECT 100.0 * count(*) FILTER (WHERE c.covered) / nullif(count(*), 0) FROM {cohort} c WHERE {where}"
    return _one(con, sql, params)


def _mobile(con, action: Action, cohort: str) -> float | None:
    where, params = _filters(action)
    sql = (
        "SELECT 100.0 * count(*) FILTER (WHERE c.contact_status = 'usable_mobile') / nullif(count(*), 0) "
        f"FROM {cohort} c WHERE {where}"
    )
    return _one(con, sql, params)


def _contacts(
    con, action: Action, cohort: str, clusters: tuple[str, ...], first: date, last: date
) -> float | None:
    if last < first:
        return None
    where, params = _filters(action)
    months = max((last - first).days + 1, 1) / (365.25 / 12)
    sql = f"""
        SELECT count(*) / {months} FROM events e
        JOIN cluster_codes k ON k.code = e.code AND list_contains(?, k.cluster_id)
        JOIN {cohort} c ON c.patient_id = e.patient_id
        WHERE e.date BETWEEN ? AND ? AND {where}
    """
    return _one(con, sql, [list(clusters), first, last, *params])


def _pending(con, action: Action, settings: ScreeningSettings, day: date) -> float | None:
    practice = "WHERE practice_code = ?" if action.practice else ""
    params = [action.practice] if action.practice else []
    return _one(con, f"SELECT count(*) FROM ({results_pending_sql(settings, day)}) {practice}", params)


def plan_progress(
    con: duckdb.DuckDBPyConnection,
    settings: ScreeningSettings,
    actions: list[Action],
    as_of: date,
    cohort_for: CohortFor,
    known: set[str],
) -> list[dict]:
    """One row per action (PROGRESS_COLUMNS); `known` are the clusters with codes in this run."""
    for a in actions:
        if a.cluster and a.cluster not in known:
            # counting a cluster no list defines would give 0 contacts, silently
            raise UserError(
                f"plan action {a.id}: cluster {a.cluster!r} has no codes in this run; give its list in "
                "--codes (a <CLUSTER_ID>.csv file) or name a bundled cluster"
            )
    rows = []
    for a in actions:
        programme = settings.programme(a.programme)
        baseline_when = a.baseline_date.isoformat()
        now_when = as_of.isoformat()
        if a.measure == "coverage":
            baseline = _coverage(con, a, cohort_for(a.baseline_date))
            now = _coverage(con, a, cohort_for(as_of))
        elif a.measure == "usable_mobile_pct":
            baseline, baseline_when = None, "given in the plan"
            now = _mobile(con, a, cohort_for(as_of))
        elif a.measure == "results_pending":
            baseline, now = _pending(con, a, settings, a.baseline_date), _pending(con, a, settings, as_of)
        else:
            clusters = (a.cluster,) if a.cluster else programme.contact
            if not clusters:
                raise UserError(
                    f"plan action {a.id}: measure contacts_per_month: programme {a.programme} has no contact "
                    "cluster; name one with 'cluster:' (e.g. a practice-local code list in --codes)"
                )
            cohort = cohort_for(as_of)
            baseline = _contacts(con, a, cohort, clusters, a.baseline_start, a.baseline_end)
            last = min(as_of, a.end)
            now = _contacts(con, a, cohort, clusters, a.start, last)
            baseline_when = f"{a.baseline_start.isoformat()} to {a.baseline_end.isoformat()}"
            now_when = f"{a.start.isoformat()} to {last.isoformat()}" if last >= a.start else ""
        if a.baseline_value is not None:
            baseline, baseline_when = a.baseline_value, "given in the plan"
        expected, status = judge(a, baseline, now, as_of)
        rows.append(
            {
                "id": a.id,
                "title": a.title,
                "owner": a.owner,
                "programme": a.programme,
                "practice": a.practice or "all",
                "group": describe_group(a),
                "measure": a.measure,
                "measure_means": MEASURES[a.measure][1],
                "baseline": baseline,
                "baseline_when": baseline_when,
                "now": now,
                "now_when": now_when,
                "target": a.target,
                "start": a.start,
                "end": a.end,
                "expected_now": expected,
                "status": status,
            }
        )
    return rows
