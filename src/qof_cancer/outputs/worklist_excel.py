"""worklist.xlsx: one formatted sheet per list, then the forecast and the PCA monitoring.

Each sheet has a styled, frozen header row with an autofilter, columns sized to their contents, dates
as real dates, pounds as currency, and the days left coloured as the deadline nears. No cell is a
formula: text that would start one is written through `sanitise.safe_cell`. The workbook is written beside
its target and renamed into place, like every other output.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qof_cancer.outputs.files import atomic_path
from qof_cancer.sanitise import safe_cell

__all__ = ["SHEETS", "write_worklist_workbook"]

# (sheet title, table, value of its `list` column or None for the whole table, what it is)
SHEETS = (
    ("CAN005 support", "worklist", "support_contact", "Support contacts to record before the due date."),
    (
        "CAN004 review",
        "worklist",
        "care_review",
        "Cancer Care Reviews: the next step (questionnaire and invitation, second invitation, review).",
    ),
    ("Missed", "worklist", "missed", "Windows that closed this year without the record: not met."),
    (
        "PCA housekeeping",
        "worklist",
        "pca_housekeeping",
        "PCA codes recorded outside the QOF year in which they count.",
    ),
    (
        "Forecast",
        "forecast",
        None,
        "Now, the year end as it stands, and the year end with the worklist done.",
    ),
    ("PCA monitoring", "pca_monitoring", None, "PCA rate by reason, this year against last year."),
)
_DATE_FORMAT = "dd-mmm-yyyy"
_MONEY = "£#,##0.00"
_MONEY_COLUMNS = {"value_gbp", "payment_gbp", "pounds_per_extra_patient"}
_PERCENT_COLUMNS = {"achievement_pct", "rate_pct", "previous_rate_pct", "change_pct_points"}
_HEADER_FILL = PatternFill("solid", start_color="FF1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFFFF")
_RED = PatternFill("solid", start_color="FFF4CCCC")
_AMBER = PatternFill("solid", start_color="FFFCE5CD")
_MAX_WIDTH = 60


def _display(value: object) -> str:
    if isinstance(value, date):
        return "00-Mmm-0000"
    return "" if value is None else str(value)


def _fill_sheet(ws: Worksheet, columns: list[str], rows: list[dict]) -> None:
    ws.append(columns)
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([safe_cell(row.get(c)) for c in columns])
    for i, name in enumerate(columns, start=1):
        letter = get_column_letter(i)
        values = [row.get(name) for row in rows]
        width = max([len(name) * 0.9] + [len(_display(v)) for v in values[:2000]])
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, width + 2))
        fmt = None
        if any(isinstance(v, date) for v in values):
            fmt = _DATE_FORMAT
        elif name in _MONEY_COLUMNS:
            fmt = _MONEY
        elif name in _PERCENT_COLUMNS:
            fmt = "0.00"
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        if name == "days_left" and rows:
            cells = f"{letter}2:{letter}{len(rows) + 1}"
            ws.conditional_formatting.add(cells, CellIsRule(operator="lessThan", formula=["8"], fill=_RED))
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="between", formula=["8", "28"], fill=_AMBER)
            )
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"  # printed pages repeat the header
    ws.page_setup.orientation = "landscape"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def write_worklist_workbook(tables: Mapping[str, pa.Table], target: Path) -> list[Path]:
    """Write the worklist tables of a run as an Excel workbook: [target], or [] (nothing written) when
    the run has no worklist tables."""
    if "worklist" not in tables:
        return []
    wb = Workbook()
    wb.remove(wb.active)
    for title, table_name, list_name, _about in SHEETS:
        table = tables.get(table_name)
        if table is None:
            continue
        columns = [c for c in table.column_names if c != "list" or list_name is None]
        rows = table.to_pylist()
        if list_name is not None:
            rows = [r for r in rows if r["list"] == list_name]
        _fill_sheet(wb.create_sheet(title), columns, rows)
    about = wb.create_sheet("About")
    about.append(["sheet", "what it holds"])
    for title, table_name, _list, text in SHEETS:
        if table_name in tables:
            about.append([title, text])
    about.append(["", "See docs/worklists.md for every column, and the code to record after each action."])
    for cell in about[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 100
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return [target]
