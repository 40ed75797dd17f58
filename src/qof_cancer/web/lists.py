"""The list pages: worklists (filter, sort, CSV, Excel, letters), data quality and screening.

These read feature tables other parts of the tool produce (`worklist`, `data_quality`, `screening`);
each page says plainly when its table is not in this run rather than failing.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import timedelta
from typing import Any

from qof_cancer.errors import UserError
from qof_cancer.sanitise import safe_cell, safe_row
from qof_cancer.web.pages import PAGE_LIMIT, NotFound, table_rows
from qof_cancer.web.state import Dashboard, feature_table_name

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
LETTER_LISTS = ("support_contact", "care_review")  # lists a letter can act on
FILTER_COLUMNS = ("practice_code", "indicator", "action", "list")


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
        out["sort"] = params.get("sort") or None
        direction = (params.get("dir") or "asc").lower()
        if direction not in ("asc", "desc"):
            raise UserError(f"dir {direction!r}: choose asc or desc")
        out["dir"] = direction
        return out


def _filtered(
    dash: Dashboard, filters: WorklistFilters, limit: int | None
) -> tuple[list[str], list[dict], int]:
    result = dash.require_result()
    table = feature_table_name("worklist")
    columns = dash.columns(table)
    where, params = [], []
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
    tie = [c for c in ("practice_code", "patient_id") if c in columns and c != order]
    sql_where = f" WHERE {' AND '.join(where)}" if where else ""
    total = dash.query(f'SELECT count(*) AS n FROM "{table}"{sql_where}', params)[0]["n"]
    order_sql = ", ".join(
        [f'"{order}" {filters.get("dir", "asc").upper()} NULLS LAST', *[f'"{c}"' for c in tie]]
    )
    sql = f'SELECT * FROM "{table}"{sql_where} ORDER BY {order_sql}' + (f" LIMIT {limit}" if limit else "")
    return columns, dash.query(sql, params), total


def worklist_data(dash: Dashboard, filters: WorklistFilters) -> dict:
    """The worklist filtered and sorted, or `available: False` when this run has no worklist table."""
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
    shown = [c for c in WORKLIST_SHOWN if c in columns] or columns
    return {
        "available": True,
        "filters": dict(filters),
        "choices": choices,
        "columns": columns,
        "shown": shown,
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
    """The filtered worklist as an Excel workbook, one sheet per list when there is a list column."""
    _require_worklist(dash)
    if not excel_available():
        raise NotFound(
            "Excel downloads need openpyxl (pip install openpyxl); the CSV download has the same rows"
        )
    from openpyxl import Workbook

    columns, rows, _ = _filtered(dash, filters, None)
    book = Workbook(write_only=True)
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(str(row.get("list") or "worklist"), []).append(row)
    for name, members in (groups or {"worklist": []}).items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(columns)
        for row in members:
            sheet.append([safe_cell(row[c]) for c in columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def letters_data(dash: Dashboard, filters: WorklistFilters) -> dict:
    """One letter per patient on the filtered lists that a letter can act on (not 'missed' or housekeeping)."""
    _require_worklist(dash)
    _, rows, _ = _filtered(dash, filters, None)
    letters = [r for r in rows if r.get("list") in (None, *LETTER_LISTS)]
    return {
        "letters": letters,
        "filters": dict(filters),
        "achievement_date": dash.require_result().period.ach,
    }


def data_quality_data(dash: Dashboard, practice: str | None = None, check: str | None = None) -> dict:
    """The data-quality summary and findings, or `available: False`."""
    result = dash.require_result()
    present = [n for n in ("data_quality_summary", "data_quality") if n in result.tables]
    if not present:
        return {"available": False}
    out: dict[str, Any] = {"available": True, "practice": practice, "check": check, "tables": []}
    for name in present:
        rows = table_rows(dash, name, {"practice_code": practice, "check": check}, PAGE_LIMIT)
        out["tables"].append(
            {
                "name": name,
                "columns": result.tables[name].column_names,
                "rows": rows,
                "total": result.tables[name].num_rows,
            }
        )
    return out


SCREENING_SHOWN = ("pcn_summary", "coverage", "groups", "contacts", "results_pending", "non_responders")


def screening_data(dash: Dashboard, table: str | None = None) -> dict:
    """The screening tables computed on the same inputs (run on demand), or how to start that run."""
    dash.require_result()
    screening = dash.screening
    if screening is None:
        return {"available": False, "status": dash.screening_status.as_dict()}
    names = [n for n in SCREENING_SHOWN if n in screening.tables] + sorted(
        n for n in screening.tables if n not in SCREENING_SHOWN
    )
    if table is not None and table not in screening.tables:
        raise NotFound(f"screening table {table} is not in this run")
    tables = []
    for name in [table] if table else names:
        t = screening.tables[name]
        tables.append(
            {
                "name": name,
                "columns": t.column_names,
                "rows": t.slice(0, PAGE_LIMIT).to_pylist(),
                "total": t.num_rows,
            }
        )
    return {
        "available": True,
        "as_of": screening.as_of,
        "warnings": list(screening.warnings),
        "names": names,
        "tables": tables,
        "status": dash.screening_status.as_dict(),
    }
