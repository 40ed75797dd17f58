"""What each page shows, as plain data: one function per page, rendered as HTML or returned as JSON.

Every function takes the dashboard and the request's parameters and returns a dict; a missing thing is a
`NotFound`, a bad parameter a `UserError` (400). Nothing here writes a log line.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from qof_cancer.engine.reference import Event, Patient
from qof_cancer.errors import UserError
from qof_cancer.model.nodes import current_outcome
from qof_cancer.outputs import report_data
from qof_cancer.web.explain import explain_patient
from qof_cancer.web.labels import OUTCOME_LABELS, list_label, list_labels
from qof_cancer.web.paging import arrow_page, page_number, paging, sort_options, sql_order
from qof_cancer.web.state import Dashboard, feature_table_name
from qof_cancer.web.timeline import timeline_data

__all__ = [
    "NotFound",
    "overview_data",
    "summary_data",
    "indicator_data",
    "patient_data",
    "tables_data",
    "table_data",
    "status_data",
    "table_rows",
]

PAGE_LIMIT = 500  # rows shown on a page; downloads have them all


class NotFound(Exception):
    """A page for something that is not in this run (a practice, an indicator, a patient, a table)."""


def _version() -> str:
    return str(getattr(sys.modules.get("qof_cancer"), "__version__", "unknown"))


def _practices(result: Any) -> list[str]:
    return sorted({r["practice_code"] for r in result.summary_rows() if r["level"] == "practice"})


def _check_practice(result: Any, practice: str | None) -> str | None:
    if practice and practice not in _practices(result):
        raise NotFound(f"practice {practice} is not in this run")
    return practice or None


def overview_data(dash: Dashboard, practice: str | None = None) -> dict:
    """Per practice and PCN: achievement against thresholds, points, pounds, forecast and warnings."""
    result = dash.require_result()
    practice = _check_practice(result, practice)
    practices = [p for p in report_data.practice_data(result) if practice in (None, p["code"])]
    pcns = [] if practice else report_data.pcn_data(result)
    forecast = _forecast_summary(result, practice)
    return {
        "header": report_data.header_data(result, datetime.now().strftime("%Y-%m-%d %H:%M"), _version()),
        "practice": practice,
        "practice_codes": _practices(result),
        "practices": practices,
        "pcns": pcns,
        "forecast": forecast,
        "provenance": report_data.provenance_data(result),
        "input": report_data.input_quality_data(result),
        "indicators": [{"id": i.id, "title": i.title} for i in result.ruleset.indicators],
        "features": sorted(result.tables),
    }


def _forecast_summary(result: Any, practice: str | None) -> dict | None:
    """Per practice and indicator, in a line each: achievement and pounds now, at the year end as it
    stands, and with the worklist done, and the patients and pounds to the next threshold."""
    data = report_data.forecast_data(result)
    if data is None:
        return None
    lines = []
    for block in data["blocks"]:
        if practice not in (None, block["practice"]):
            continue
        done = block.get("year_end_worklist_done")
        as_is = block["year_end_as_is"]
        end = as_is  # from where the year ends if nothing more is recorded
        if end["patients_to_lower"]:
            to_next, threshold = end["patients_to_lower"], "lower"
        else:
            to_next, threshold = end["patients_to_upper"] or 0, "upper"
        lines.append(
            {
                "practice": block["practice"],
                "indicator": block["indicator"],
                "cells": [block[k] for k, _ in data["scenarios"]],
                "gain_gbp": (done["payment_gbp"] - as_is["payment_gbp"]) if done else None,
                "worklist_patients": done["worklist_patients"] if done else None,
                "to_next": to_next,
                "threshold": threshold,
                "per_patient_gbp": end["pounds_per_extra_patient"],
            }
        )
    return {"scenarios": data["scenarios"], "lines": lines}


def summary_data(dash: Dashboard) -> dict:
    """The rows of summary.csv."""
    result = dash.require_result()
    return {"columns": result.summary.column_names, "rows": result.summary_rows()}


INDICATOR_SORTS = ("practice_code", "patient_id", "outcome", "rule", "can_dat", "due_date")


def indicator_data(
    dash: Dashboard,
    indicator: str,
    practice: str | None = None,
    outcome: str | None = None,
    params: Any = None,
) -> dict:
    """An indicator's patients by outcome, with the deciding rule in plain English."""
    result = dash.require_result()
    query = params or {}
    ids = [i.id for i in result.ruleset.indicators]
    if indicator not in ids:
        raise NotFound(f"indicator {indicator} is not in this run (choose {', '.join(ids)})")
    ind = result.ruleset.indicator(indicator)
    practice = _check_practice(result, practice)
    outcome = current_outcome(outcome) if outcome else outcome  # a link saved from an earlier version
    if outcome and outcome not in OUTCOME_LABELS:
        raise UserError(f"outcome {outcome!r}: choose one of {', '.join(OUTCOME_LABELS)}")
    where, params = ["indicator = ?"], [indicator]
    if practice:
        where.append("practice_code = ?")
        params.append(practice)
    counts = dash.query(
        f"SELECT rule, outcome, count(*) AS patients FROM outcomes WHERE {' AND '.join(where)} GROUP BY rule, outcome",
        params,
    )
    by_rule = {c["rule"]: c["patients"] for c in counts}
    rules = [
        {
            "rule": ind.rule_label(r),
            "outcome": r.outcome,
            "outcome_label": OUTCOME_LABELS.get(r.outcome, r.outcome),
            "says": r.says,
            "patients": by_rule.get(ind.rule_label(r), 0),
        }
        for r in ind.rules
    ]
    if outcome:
        where.append("outcome = ?")
        params.append(outcome)
    total = dash.query(f"SELECT count(*) AS n FROM outcomes WHERE {' AND '.join(where)}", params)[0]["n"]
    at = paging(total, page_number(query.get("page")))
    sort, direction = sort_options(query, list(INDICATOR_SORTS))
    # By default what needs doing first: not met, then the rest, the soonest due date first.
    default = (
        "CASE outcome WHEN 'not_met' THEN 0 WHEN 'met' THEN 2 ELSE 1 END, due_date NULLS LAST, "
        "practice_code, patient_id"
    )
    patients = dash.query(
        "SELECT practice_code, patient_id, outcome, rule, reason, can_dat, due_date FROM outcomes "
        f"WHERE {' AND '.join(where)} ORDER BY {sql_order(sort, direction, default)} "
        f"LIMIT {at['size']} OFFSET {at['offset']}",
        params,
    )
    for p in patients:
        p["outcome_label"] = OUTCOME_LABELS.get(p["outcome"], p["outcome"])
    summary = [
        r
        for r in result.summary_rows()
        if r["indicator"] == indicator and practice in (None, r["practice_code"])
    ]
    return {
        "indicator": {
            "id": ind.id,
            "title": ind.title,
            "wording": ind.wording,
            "notes": ind.notes,
            "kind": ind.kind,
        },
        "practice": practice,
        "practice_codes": _practices(result),
        "outcome": outcome,
        "outcomes": sorted({r.outcome for r in ind.rules}),
        "outcome_labels": OUTCOME_LABELS,
        "rules": rules,
        "summary": summary,
        "patients": patients,
        "total": total,
        "paging": at,
        "sort": sort,
        "dir": direction,
        "sorts": INDICATOR_SORTS,
    }


def patient_data(dash: Dashboard, patient_id: str) -> dict:
    """A patient's records that matter, their outcomes, the rule trace and what would change."""
    result = dash.require_result()
    wanted = ["patient_id", "practice_code", "pcn_code", "registration_start", "registration_end"]
    wanted += [c for c in ("date_of_death", "nhs_number") if c in dash.columns("patients")]
    found = dash.query(f"SELECT {', '.join(wanted)} FROM patients WHERE patient_id = ?", [patient_id])
    if not found:
        raise NotFound("no patient with that id in this run")
    prow = found[0]
    # The records of the rules' and features' code lists: not those the store keeps only for screening.
    events = dash.query(
        "SELECT code, date, episode FROM events e WHERE patient_id = ? AND EXISTS (SELECT 1 FROM "
        "cluster_codes c WHERE c.code = e.code AND NOT list_contains(?, c.cluster_id)) ORDER BY date, code",
        [patient_id, list(dash.screening_cluster_ids())],
    )
    outcome_rows = dash.query(
        "SELECT indicator, outcome, rule, reason, can_dat, reg_dat, due_date FROM outcomes WHERE patient_id = ?",
        [patient_id],
    )
    patient = Patient(
        patient_id=prow["patient_id"],
        practice_code=prow["practice_code"],
        registration_start=prow["registration_start"],
        registration_end=prow["registration_end"],
        date_of_death=prow["date_of_death"],
        pcn_code=prow["pcn_code"],
        events=tuple(Event(e["code"], e["date"], e["episode"]) for e in events),
    )
    explanation = explain_patient(result, patient, {r["indicator"]: r for r in outcome_rows})
    period = result.period
    labels = list_labels(result.ruleset)
    return {
        "patient": {"date_of_death": None, "nhs_number": None, **prow},
        "period": {"year": period.year.id, "ppsd": period.ppsd, "pped": period.pped, "ach": period.ach},
        "explanation": explanation,
        "timeline": timeline_data(result, events, explanation["can_dat"]),
        "findings": _patient_rows(dash, "data_quality", patient_id, "changes_outcome DESC, date"),
        "worklist": [
            {**r, "list_label": list_label(r.get("list"), labels)}
            for r in _patient_rows(dash, "worklist", patient_id, "days_left, indicator")
        ],
        "features": sorted(result.tables),
    }


def _patient_rows(dash: Dashboard, name: str, patient_id: str, order: str) -> list[dict]:
    """One patient's rows of a feature table ([] when the run has no such table)."""
    table = feature_table_name(name)
    if "patient_id" not in dash.columns(table):
        return []
    return dash.query(f'SELECT * FROM "{table}" WHERE patient_id = ? ORDER BY {order}', [patient_id])


def table_rows(
    dash: Dashboard, name: str, equals: dict[str, Any] | None = None, limit: int | None = None
) -> list[dict]:
    """Rows of a feature table kept in the results file, filtered on equal columns (names checked)."""
    table = feature_table_name(name)
    sql_where, params = _equal_to(equals, dash.columns(table))
    sql = f'SELECT * FROM "{table}"{sql_where}'
    return dash.query(sql + (f" LIMIT {int(limit)}" if limit else ""), params)


def _equal_to(equals: dict[str, Any] | None, columns: list[str]) -> tuple[str, list]:
    """` WHERE "a" = ? AND ...` and its values, for the given columns of the table that have a value."""
    where, values = [], []
    for column, value in (equals or {}).items():
        if value in (None, "") or column not in columns:
            continue
        where.append(f'"{column}" = ?')
        values.append(value)
    return (f" WHERE {' AND '.join(where)}" if where else ""), values


def table_page(
    dash: Dashboard,
    name: str,
    equals: dict[str, Any] | None,
    params: Any,
    default_order: str,
) -> dict:
    """One page of a feature table, filtered on equal columns and sorted: `rows`, `paging`, `sort`, `dir`."""
    table = feature_table_name(name)
    columns = dash.columns(table)
    sort, direction = sort_options(params, columns)
    sql_where, values = _equal_to(equals, columns)
    total = dash.query(f'SELECT count(*) AS n FROM "{table}"{sql_where}', values)[0]["n"]
    at = paging(total, page_number(params.get("page")))
    rows = dash.query(
        f'SELECT * FROM "{table}"{sql_where} ORDER BY {sql_order(sort, direction, default_order)} '
        f"LIMIT {at['size']} OFFSET {at['offset']}",
        values,
    )
    return {"columns": columns, "rows": rows, "paging": at, "sort": sort, "dir": direction}


def tables_data(dash: Dashboard) -> dict:
    """Every table this run produced besides the outcomes and summary, with its size."""
    result = dash.require_result()
    tables = [
        {"name": k, "rows": result.tables.num_rows(k), "columns": result.tables.columns(k)}
        for k in sorted(result.tables)
    ]
    tables.append(
        {"name": "rejects", "rows": result.rejects.num_rows, "columns": result.rejects.column_names}
    )
    return {"tables": tables}


def table_data(dash: Dashboard, name: str, practice: str | None = None, params: Any = None) -> dict:
    """One table, generically: columns and one page of rows, sortable by any column."""
    result = dash.require_result()
    params = params or {}
    if name == "rejects":
        table = result.rejects
        sort, direction = sort_options(params, table.column_names)
        rows, at = arrow_page(table, page_number(params.get("page")), sort, direction)
        return {
            "name": name,
            "columns": table.column_names,
            "rows": rows,
            "total": table.num_rows,
            "paging": at,
            "sort": sort,
            "dir": direction,
        }
    if name not in result.tables:
        raise NotFound(f"table {name} is not in this run")
    columns = result.tables.columns(name)  # the rows stay in the results file
    first = '"' + columns[0] + '"'
    page = table_page(dash, name, {"practice_code": practice}, params, first)
    return {"name": name, **page, "columns": columns, "total": page["paging"]["total"]}


def status_data(dash: Dashboard) -> dict:
    """The background jobs: the rerun (after an upload) and the screening run."""
    result = dash.result
    return {
        "run": dash.status.as_dict(),
        "screening": dash.screening_status.as_dict(),
        "has_result": result is not None,
        "year": result.period.year.id if result else None,
        "achievement_date": result.period.ach if result else None,
        "patients_kept": result.load.patients_kept if result else None,
    }
