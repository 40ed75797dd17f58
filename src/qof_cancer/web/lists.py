"""The list pages: worklists (filter, sort, CSV, Excel, letters), data quality and screening.

These read feature tables other parts of the tool produce (`worklist`, `data_quality`, `screening`);
each page says plainly when its table is not in this run rather than failing.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import date, timedelta
from typing import Any

from qof_cancer.errors import UserError
from qof_cancer.model.actions import GENERIC_LISTS
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.sanitise import safe_row
from qof_cancer.web.labels import list_help, list_label, list_labels
from qof_cancer.web.pages import PAGE_LIMIT, NotFound, table_page, table_rows
from qof_cancer.web.paging import arrow_page, page_number, paging, sort_options
from qof_cancer.web.state import Dashboard, feature_table_name
from qof_cancer.worklist.lists import worklist_lists
from qof_cancer.worklist.messages import (
    message_date_problem,
    missing_details_advice,
    one_message_each,
    render_letter,
)

MAX_DUE_WITHIN = 3660  # ten years: every deadline there is; a longer number is a slip (and overflows SQL)

__all__ = [
    "WorklistFilters",
    "worklist_data",
    "worklist_csv",
    "worklist_xlsx",
    "letters_data",
    "data_quality_data",
    "screening_data",
    "excel_available",
]

# Shown on the page, in this order, when present; the downloads carry every column.
WORKLIST_SHOWN = (
    "list",
    "practice_code",
    "patient_id",
    "nhs_number",
    "indicator",
    "action",
    "step_by",
    "due_date",
    "days_left",
    "value_gbp",
    "send_now",
    "mobile_usable",
    "note",
)
# The page's sections, in order: what can still be won first (every indicator's own list: the lists a
# letter can act on), then what cannot, then the PCA records.
SECTION_KEYS = ("todo", *GENERIC_LISTS)
SECTION_PAGE = 25
FILTER_COLUMNS = ("practice_code", "indicator", "action", "list")


def worklist_sections(ruleset: RuleSet) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(key, the lists it shows, title) for each section of the worklist page, in order."""
    return (
        ("todo", tuple(spec.list for spec in worklist_lists(ruleset)), "To do"),
        ("missed", ("missed",), "Missed: window closed"),
        ("pca_housekeeping", ("pca_housekeeping",), "PCAs to re-record"),
    )


def excel_available() -> bool:
    return importlib.util.find_spec("openpyxl") is not None


class WorklistFilters(dict):
    """practice_code, indicator, action, list, due_within (days), sort, dir: from the query string."""

    @classmethod
    def parse(cls, params: Any) -> WorklistFilters:
        out = cls({c: params.get(c) or None for c in FILTER_COLUMNS})
        if params.get("practice") and not out["practice_code"]:
            out["practice_code"] = params.get("practice")
        raw = params.get("due_within") or ""
        if raw.strip():
            try:
                out["due_within"] = int(raw)
            except ValueError:
                raise UserError(f"due_within {raw!r}: expected a whole number of days") from None
            if not 0 <= out["due_within"] <= MAX_DUE_WITHIN:
                raise UserError(f"due_within: expected 0 to {MAX_DUE_WITHIN} days")
        else:
            out["due_within"] = None
        out["pages"] = {key: page_number(params.get(f"page_{key}"), f"page_{key}") for key in SECTION_KEYS}
        out["per_page"] = _per_page(params)
        out["sort"] = params.get("sort") or None
        direction = (params.get("dir") or "asc").lower()
        if direction not in ("asc", "desc"):
            raise UserError(f"dir {direction!r}: choose asc or desc")
        out["dir"] = direction
        return out


def _filtered(
    dash: Dashboard,
    filters: WorklistFilters,
    limit: int | None,
    lists: tuple[str, ...] | None = None,
    offset: int = 0,
) -> tuple[list[str], list[dict], int]:
    result = dash.require_result()
    table = feature_table_name("worklist")
    columns = dash.columns(table)
    where, params = [], []
    if lists is not None and "list" in columns:
        where.append(f'"list" IN ({", ".join("?" for _ in lists)})')
        params.extend(lists)
    for column in FILTER_COLUMNS:
        if filters.get(column) and column in columns:
            where.append(f'"{column}" = ?')
            params.append(filters[column])
    if filters.get("due_within") is not None:
        if "days_left" in columns:
            where.append('"days_left" <= ?')
            params.append(filters["due_within"])
        elif "due_date" in columns:
            where.append('"due_date" <= ?')
            params.append(result.period.ach + timedelta(days=filters["due_within"]))
    sort = filters.get("sort")
    if sort and sort not in columns:
        raise UserError(f"sort {sort!r}: choose one of {', '.join(columns)}")
    order = sort or next((c for c in ("days_left", "due_date") if c in columns), columns[0])
    # Ties: the patient worth most first, then a stable order.
    tie = [c for c in ("value_gbp", "practice_code", "patient_id") if c in columns and c != order]
    sql_where = f" WHERE {' AND '.join(where)}" if where else ""
    total = dash.query(f'SELECT count(*) AS n FROM "{table}"{sql_where}', params)[0]["n"]
    order_sql = ", ".join(
        [
            f'"{order}" {filters.get("dir", "asc").upper()} NULLS LAST',
            *[f'"{c}" DESC NULLS LAST' if c == "value_gbp" else f'"{c}"' for c in tie],
        ]
    )
    sql = f'SELECT * FROM "{table}"{sql_where} ORDER BY {order_sql}'
    if limit:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return columns, dash.query(sql, params), total


def _per_page(params: Any) -> int | None:
    raw = params.get("per_page") or ""
    if not raw.strip():
        return None
    try:
        size = int(raw)
    except ValueError:
        raise UserError(f"per_page {raw!r}: expected a number of rows") from None
    if not 1 <= size <= PAGE_LIMIT:
        raise UserError(f"per_page: choose 1 to {PAGE_LIMIT} rows")
    return size


def _section_rows(rows: list[dict], labels: dict[str, str]) -> list[dict]:
    """What a worklist row shows a person: the next step, the code to record, a phone or the letter."""
    out = []
    for r in rows:
        phone = r.get("mobile_phone") if r.get("mobile_usable") else None
        out.append(
            {
                **r,
                "list_label": list_label(r.get("list"), labels),
                "contact": phone
                or (
                    f"letter ({str(r.get('mobile_status') or 'no mobile').replace('_', ' ')})"
                    if "mobile_status" in r
                    else None
                ),
                "message_label": (
                    ("text" if r.get("mobile_usable") and r.get("nhs_number") else "letter") + " ready"
                )
                if r.get("message") and r.get("send_now")
                else None,
            }
        )
    return out


def worklist_data(dash: Dashboard, filters: WorklistFilters) -> dict:
    """The worklist filtered and sorted, in sections (to do now; missed; PCAs to re-record), each paged;
    or `available: False` when this run has no worklist table."""
    result = dash.require_result()
    if "worklist" not in result.tables:
        return {"available": False, "filters": dict(filters)}
    columns, rows, total = _filtered(dash, filters, PAGE_LIMIT)
    choices = {
        c: [
            r["v"]
            for r in dash.query(
                f'SELECT DISTINCT "{c}" AS v FROM "feature_worklist" WHERE "{c}" IS NOT NULL ORDER BY 1'
            )
        ]
        for c in FILTER_COLUMNS
        if c in columns
    }
    sections = []
    labels, helps = list_labels(result.ruleset), list_help(result.ruleset)
    if "list" in columns:
        for key, lists, title in worklist_sections(result.ruleset):
            if filters.get("list") and filters["list"] not in lists:
                continue
            count = _filtered(dash, filters, 1, lists)[2]
            size = filters.get("per_page") or SECTION_PAGE
            where = paging(count, filters.get("pages", {}).get(key, 1), size)
            section_rows = _filtered(dash, filters, size, lists, where["offset"])[1]
            sections.append(
                {
                    "key": key,
                    "title": title,
                    "help": [helps[n] for n in lists if filters.get("list") in (None, n)],
                    "rows": _section_rows(section_rows, labels),
                    "paging": where,
                }
            )
    shown = [c for c in WORKLIST_SHOWN if c in columns] or columns
    return {
        "available": True,
        "filters": dict(filters),
        "choices": choices,
        "list_labels": labels,
        "columns": columns,
        "shown": shown,
        "sections": sections,
        "rows": rows,
        "total": total,
        "limit": PAGE_LIMIT,
        "excel": excel_available(),
        "achievement_date": result.period.ach,
    }


def _require_worklist(dash: Dashboard) -> None:
    if "worklist" not in dash.require_result().tables:
        raise NotFound("there is no worklist in this run")


def worklist_csv(dash: Dashboard, filters: WorklistFilters) -> str:
    """The filtered worklist as CSV text, every column."""
    _require_worklist(dash)
    columns, rows, _ = _filtered(dash, filters, None)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_row(r) for r in rows)
    return buf.getvalue()


def worklist_xlsx(dash: Dashboard, filters: WorklistFilters) -> bytes:
    """The filtered worklist as the same formatted workbook `run` writes (About sheet first)."""
    _require_worklist(dash)
    if not excel_available():
        raise NotFound(
            "Excel downloads need openpyxl (pip install openpyxl); the CSV download has the same rows"
        )
    import pyarrow as pa

    from qof_cancer.outputs.registry import workbook_facts
    from qof_cancer.outputs.worklist_excel import build_worklist_workbook

    result = dash.require_result()
    _, rows, _ = _filtered(dash, filters, None)
    # The workbook's other sheets' tables only (the data-quality tables stay in the results file).
    tables = {n: result.tables[n] for n in ("forecast", "pca_monitoring") if n in result.tables}
    tables["worklist"] = pa.Table.from_pylist(rows, schema=result.tables["worklist"].schema)
    buf = io.BytesIO()
    build_worklist_workbook(tables, workbook_facts(result), ruleset=result.ruleset).save(buf)
    return buf.getvalue()


def letters_data(dash: Dashboard, filters: WorklistFilters) -> dict:
    """The letters for the filtered rows whose message is due now, rendered as `run` writes them: with the
    practice's details, dated on the achievement date. None for a practice without details, nor for a
    past achievement date; `problems` says why in words."""
    _require_worklist(dash)
    result = dash.require_result()
    ach = result.period.ach
    _, rows, _ = _filtered(dash, filters, None)
    due = one_message_each(r for r in rows if r.get("message") and r.get("send_now"))
    messages = dash.messages or dash.inputs.load_messages()
    problems = []
    problem = message_date_problem(ach, dash.inputs.today or date.today())
    if problem is not None:
        problems.append(problem)
        due = []
    missing = messages.missing({r["practice_code"] for r in due})
    if missing:
        problems.append(missing_details_advice(missing))
    letters = [
        {**r, "letter": render_letter(messages, r, ach)} for r in due if r["practice_code"] not in missing
    ]
    return {
        "letters": letters,
        "problems": problems,
        "filters": dict(filters),
        "achievement_date": ach,
    }


def data_quality_data(
    dash: Dashboard, practice: str | None = None, check: str | None = None, params: Any = None
) -> dict:
    """The data-quality summary and one page of findings (those that change an outcome first), or
    `available: False`."""
    result = dash.require_result()
    present = [n for n in ("data_quality_summary", "data_quality") if n in result.tables]
    if not present:
        return {"available": False}
    out: dict[str, Any] = {"available": True, "practice": practice, "check": check, "tables": []}
    equals = {"practice_code": practice, "check": check}
    for name in present:
        if name == "data_quality":
            order = 'changes_outcome DESC NULLS LAST, practice_code, "check", patient_id'
            page = table_page(dash, name, equals, params or {}, order)
        else:
            # The checks that found something, those that change outcomes first; the zeros are noise.
            rows = table_rows(dash, name, equals, None)
            rows = [r for r in rows if r.get("findings")]
            rows.sort(key=lambda r: (-(r.get("patients_outcome_changed") or 0), -(r.get("findings") or 0)))
            page = {"rows": rows[:PAGE_LIMIT]}
        out["tables"].append(
            {
                "name": name,
                "columns": result.tables.columns(name),
                **page,
                "total": page["paging"]["total"] if "paging" in page else result.tables.num_rows(name),
            }
        )
    return out


SCREENING_INDEX_ROWS = 60  # longer tables get a link to their own, paged page
SCREENING_SHOWN = ("pcn_summary", "coverage", "groups", "contacts", "results_pending", "non_responders")


def screening_data(dash: Dashboard, table: str | None = None, params: Any = None) -> dict:
    """The screening tables computed on the same inputs (run on demand), or how to start that run. The
    index shows the short tables whole and links to the long ones; a table's own page is paged, sortable
    and filtered to one programme."""
    dash.require_result()
    params = params or {}
    screening = dash.screening
    if screening is None:
        return {"available": False, "status": dash.screening_status.as_dict()}
    names = [n for n in SCREENING_SHOWN if n in screening.tables] + sorted(
        n for n in screening.tables if n not in SCREENING_SHOWN
    )
    if table is not None and table not in screening.tables:
        raise NotFound(f"screening table {table} is not in this run")
    tables, links = [], []
    for name in [table] if table else names:
        t = screening.tables[name]
        if table is None and t.num_rows > SCREENING_INDEX_ROWS:
            links.append({"name": name, "total": t.num_rows})
            continue
        programmes = (
            sorted(set(t.column("programme").to_pylist()) - {None}) if "programme" in t.column_names else []
        )
        programme = params.get("programme") or None
        if programme is not None and programme not in programmes:
            raise UserError(f"programme {programme!r}: choose one of {', '.join(programmes) or 'none'}")
        sort, direction = sort_options(params, t.column_names)
        rows, at = arrow_page(t, page_number(params.get("page")), sort, direction, {"programme": programme})
        tables.append(
            {
                "name": name,
                "columns": t.column_names,
                "rows": rows,
                "total": at["total"],
                "paging": at,
                "programmes": programmes,
                "programme": programme,
                "sort": sort,
                "dir": direction,
            }
        )
    return {
        "available": True,
        "as_of": screening.as_of,
        "warnings": list(screening.warnings),
        "names": names,
        "tables": tables,
        "links": links,
        "status": dash.screening_status.as_dict(),
    }
