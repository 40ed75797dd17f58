"""worklist.xlsx: an About sheet first, then one formatted sheet per list, the forecast and the PCA
monitoring.

The About sheet stands on its own: what the workbook is for, the run it came from, what each sheet and
the main columns mean and what the colours say, so a person opening it needs nothing else.

Each sheet has a styled, frozen header row with an autofilter, columns sized to their contents, dates
as real dates, pounds as currency, and the days left coloured as the deadline nears. No cell is a
formula: text that would start one is written through `sanitise.safe_cell`. The workbook is written beside
its target and renamed into place, like every other output.

The workbook is made in openpyxl's write-only mode: each row is streamed to the file as it is added
rather than kept as cell objects, so a sheet's formats, widths, frozen header and filter are all worked
out from the rows before the first is written. The worklist table is read into rows once and shared out
to its sheets by its `list` column.

Each indicator's sheet (its title and what it holds) is the indicator's own data, from its rule file's
`worklist:` section; the missed, PCA housekeeping, forecast and PCA monitoring sheets are every run's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qof_cancer.model.actions import WorklistSpec
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.outputs.files import atomic_path
from qof_cancer.sanitise import safe_cell
from qof_cancer.worklist.lists import worklist_lists

__all__ = [
    "GENERIC_SHEETS",
    "worklist_sheets",
    "column_notes",
    "build_worklist_workbook",
    "write_worklist_workbook",
]

Sheet = tuple[str, str, str | None, str]
# (sheet title, table, value of its `list` column or None for the whole table, what it is): the sheets
# every workbook has, after the indicators' own.
GENERIC_SHEETS: tuple[Sheet, ...] = (
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
# The columns a person acts on, in words (the About sheet); the action column's words follow the lists.
_COLUMN_NOTES = (
    ("step_by", "Take the next step by this date."),
    ("due_date", "The deadline: after it the patient counts as not met this year."),
    ("days_left", "Days from the achievement date to the deadline (red: under a week; amber: under four)."),
    ("record_code", "The code to record once the step is done (record_term says what it is)."),
    ("value_gbp", "What completing the list is worth, shared out per patient (£)."),
    ("send_now", "TRUE when the text or letter for this step is ready to send now."),
    ("mobile_usable", "TRUE when the mobile number can take a text; otherwise send a letter."),
    ("note", "Anything else to know for this patient: windows past the year end, PCAs, invitations."),
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


def worklist_sheets(lists: Sequence[WorklistSpec]) -> tuple[Sheet, ...]:
    """Every sheet after About, in order: one per indicator list, then the generic ones."""
    return (*((spec.sheet, "worklist", spec.list, spec.about) for spec in lists), *GENERIC_SHEETS)


def _steps(spec: WorklistSpec) -> tuple[str, ...]:
    if spec.steps == "contact":
        return (spec.action,)
    return (spec.invitation, "second invitation", spec.action)


def column_notes(lists: Sequence[WorklistSpec]) -> tuple[tuple[str, str], ...]:
    """(column, what it means) for the About sheet, the next steps named as the lists name them."""
    steps = dict.fromkeys(step for spec in lists for step in _steps(spec))
    return (("action", f"The next step: {'; '.join(steps)}."), *_COLUMN_NOTES)


def _display(value: object) -> str:
    if isinstance(value, date):
        return "00-Mmm-0000"
    return "" if value is None else str(value)


def _styled(ws: WriteOnlyWorksheet, value: object, **style: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _header(ws: WriteOnlyWorksheet, names: Sequence[str], **style: object) -> list[WriteOnlyCell]:
    return [_styled(ws, n, font=_HEADER_FONT, fill=_HEADER_FILL, **style) for n in names]


def _column_format(name: str, values: Sequence[object]) -> str | None:
    if any(isinstance(v, date) for v in values):
        return _DATE_FORMAT
    if name in _MONEY_COLUMNS:
        return _MONEY
    if name in _PERCENT_COLUMNS:
        return "0.00"
    return None


def _safe_column(values: list) -> list:
    """A column's values through `safe_cell`; only text can start a formula, so other columns pass as
    they are."""
    if any(isinstance(v, str) for v in values):
        return [safe_cell(v) for v in values]
    return values


def _fill_sheet(ws: WriteOnlyWorksheet, columns: list[str], values_of: Mapping[str, list]) -> None:
    """A list's sheet, streamed: its layout first (widths, formats, frozen header, filter), then rows.

    `values_of` holds each column's values top to bottom. The rows are put together column-wise, and
    each formatted column (dates, money, percentages) has one styled cell that every row reuses: the
    sheet streams each row to the file as it is appended, so the cell is written before it is reused.
    """
    n_rows = len(values_of[columns[0]]) if columns else 0
    formats: list[str | None] = []
    for i, name in enumerate(columns, start=1):
        letter = get_column_letter(i)
        values = values_of[name]
        width = max([len(name) * 0.9] + [len(_display(v)) for v in values[:2000]])
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, width + 2))
        formats.append(_column_format(name, values))
        if name == "days_left" and n_rows:
            cells = f"{letter}2:{letter}{n_rows + 1}"
            ws.conditional_formatting.add(cells, CellIsRule(operator="lessThan", formula=["8"], fill=_RED))
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="between", formula=["8", "28"], fill=_AMBER)
            )
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"  # printed pages repeat the header
    ws.page_setup.orientation = "landscape"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n_rows + 1}"
    ws.append(_header(ws, columns, alignment=Alignment(vertical="top", wrap_text=True)))
    styled = [(i, _styled(ws, None, number_format=fmt)) for i, fmt in enumerate(formats) if fmt]
    for line in zip(*(_safe_column(values_of[c]) for c in columns), strict=True):
        row = list(line)
        for i, cell in styled:
            cell.value = row[i]
            row[i] = cell
        ws.append(row)


def _fill_about(
    ws: WriteOnlyWorksheet,
    tables: Mapping[str, pa.Table],
    facts: Mapping[str, str],
    lists: Sequence[WorklistSpec],
) -> None:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    ws.append([_styled(ws, "QOF cancer worklist", font=Font(bold=True, size=14))])
    ws.append(["This workbook names patients. Keep it inside the practice's own systems."])
    ws.append([])
    for key, value in facts.items():
        ws.append([key, value])
    ws.append([])
    ws.append(_header(ws, ["Sheet", "What it holds"]))
    for title, table_name, _list, text in worklist_sheets(lists):
        if table_name in tables:
            ws.append([title, text])
    ws.append([])
    ws.append(_header(ws, ["Column", "What it means"]))
    for column, text in column_notes(lists):
        ws.append([column, text])
    ws.append([])
    ws.append(
        [
            _styled(ws, "After each step", font=Font(bold=True)),
            "Record the code in record_code; the next run takes the patient off the list.",
        ]
    )


def build_worklist_workbook(
    tables: Mapping[str, pa.Table], facts: Mapping[str, str] | None = None, *, ruleset: RuleSet
) -> Workbook:
    """The workbook for a run's worklist tables (the About sheet first), in write-only mode: it can be
    saved once, not read back. `facts` are the run's year, achievement date and the like, shown on the
    About sheet; `ruleset` the run's rules, whose indicators name their sheets."""
    lists = worklist_lists(ruleset)
    wb = Workbook(write_only=True)
    _fill_about(wb.create_sheet("About"), tables, facts or {}, lists)
    columns_of: dict[str, dict[str, list]] = {}  # each table read into column values once
    rows_in: dict[tuple[str, object], list[int]] = {}  # and its row numbers shared out by their `list`
    for title, table_name, list_name, _about in worklist_sheets(lists):
        table = tables.get(table_name)
        if table is None:
            continue
        if table_name not in columns_of:
            columns_of[table_name] = {c: table.column(c).to_pylist() for c in table.column_names}
            for i, value in enumerate(columns_of[table_name].get("list", ())):
                rows_in.setdefault((table_name, value), []).append(i)
        columns = [c for c in table.column_names if c != "list" or list_name is None]
        whole = columns_of[table_name]
        if list_name is None:
            values_of = whole
        else:
            picked = rows_in.get((table_name, list_name), [])
            values_of = {c: [whole[c][i] for i in picked] for c in columns}
        _fill_sheet(wb.create_sheet(title), columns, values_of)
    return wb


def write_worklist_workbook(
    tables: Mapping[str, pa.Table], target: Path, facts: Mapping[str, str] | None = None, *, ruleset: RuleSet
) -> list[Path]:
    """Write the worklist tables of a run as an Excel workbook: [target], or [] (nothing written) when
    the run has no worklist tables."""
    if "worklist" not in tables:
        return []
    wb = build_worklist_workbook(tables, facts, ruleset=ruleset)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return [target]
