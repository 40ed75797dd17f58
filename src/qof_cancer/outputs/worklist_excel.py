"""worklist.xlsx: an About sheet first, then one formatted sheet per list, the forecast and the PCA
monitoring.

The About sheet stands on its own: what the workbook is for, the run it came from, what each sheet and
the main columns mean and what the colours say, so a person opening it needs nothing else.

Each sheet has a styled, frozen header row with an autofilter, columns sized to their contents, dates
as real dates, pounds as currency, and the days left coloured as the deadline nears. No cell is a
formula: text that would start one is written through `sanitise.safe_cell`. The workbook is written beside
its target and renamed into place, like every other output.

The workbook is made with XlsxWriter, kept in memory until it is saved (no temporary files holding
patients' details outside the output folder). Each table is read into column values once and its rows
shared out to the sheets by its `list` column; each cell is written by its column's type (text always as
text, never as a formula). See docs/decisions.md, "worklist.xlsx with XlsxWriter".

Each indicator's sheet (its title and what it holds) is the indicator's own data, from its rule file's
`worklist:` section; the missed, PCA housekeeping, forecast and PCA monitoring sheets are every run's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO

import pyarrow as pa
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from qof_cancer.model.actions import WorklistSpec
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.outputs.files import atomic_path
from qof_cancer.sanitise import safe_cell
from qof_cancer.worklist.lists import worklist_lists

__all__ = [
    "GENERIC_SHEETS",
    "worklist_sheets",
    "column_notes",
    "WorklistWorkbook",
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
_HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "pattern": 1}
_RED = {"bg_color": "#F4CCCC"}
_AMBER = {"bg_color": "#FCE5CD"}
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


def _writer(ws: Worksheet, values: list) -> Callable[..., object]:
    """How a column's cells are written, by the one type its values have: text always as text (never
    read as a formula, a number or a link). A column of mixed values goes through `_write_any`."""
    kinds = {type(v) for v in values if v is not None}
    by_kind = {str: ws.write_string, bool: ws.write_boolean, int: ws.write_number, float: ws.write_number}
    if len(kinds) == 1:
        (kind,) = kinds
        if kind in by_kind:
            return by_kind[kind]
        if issubclass(kind, date):
            return ws.write_datetime
    return partial(_write_any, ws)


def _write_any(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> object:
    if isinstance(value, str):
        return ws.write_string(row, col, value, fmt)
    return ws.write(row, col, value, fmt)  # numbers, booleans, dates


def _width(characters: float) -> float:
    """The width to give XlsxWriter's set_column for a column `characters` wide as the file stores it:
    XlsxWriter adds Excel's cell padding (5 pixels of a 7-pixel digit) to the width it is given."""
    return characters - 5 / 7


def _fill_sheet(
    wb: Workbook, ws: Worksheet, columns: list[str], values_of: Mapping[str, list], header: Format
) -> None:
    """A list's sheet: its layout (widths, formats, frozen header, filter), worked out from its columns,
    then its rows, each cell written by its column's writer and format."""
    n_rows = len(values_of[columns[0]]) if columns else 0
    columns_values = [_safe_column(values_of[c]) for c in columns]
    formats: list[Format | None] = []
    for i, (name, values) in enumerate(zip(columns, columns_values, strict=True)):
        width = max([len(name) * 0.9] + [len(_display(v)) for v in values[:2000]])
        ws.set_column(i, i, _width(min(_MAX_WIDTH, max(8, width + 2))))
        fmt = _column_format(name, values)
        formats.append(wb.add_format({"num_format": fmt}) if fmt else None)
        if name == "days_left" and n_rows:
            red, amber = wb.add_format(_RED), wb.add_format(_AMBER)
            soon = {"type": "cell", "criteria": "<", "value": 8, "format": red}
            weeks = {"type": "cell", "criteria": "between", "minimum": 8, "maximum": 28, "format": amber}
            ws.conditional_format(1, i, n_rows, i, soon)
            ws.conditional_format(1, i, n_rows, i, weeks)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)  # printed pages repeat the header
    ws.set_landscape()
    ws.autofilter(0, 0, n_rows, max(len(columns) - 1, 0))
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, header)
    cells = [
        (col, _writer(ws, values), fmt, ws.write_blank if fmt else None)
        for col, (values, fmt) in enumerate(zip(columns_values, formats, strict=True))
    ]
    for row, line in enumerate(zip(*columns_values, strict=True), start=1):
        for (col, write, fmt, blank), value in zip(cells, line, strict=True):
            if value is not None:
                write(row, col, value, fmt)
            elif blank is not None:  # an empty cell of a formatted column keeps its format
                blank(row, col, None, fmt)


def _fill_about(
    wb: Workbook,
    ws: Worksheet,
    tables: Mapping[str, pa.Table],
    facts: Mapping[str, str],
    lists: Sequence[WorklistSpec],
    header: Format,
) -> None:
    ws.set_column(0, 0, _width(22))
    ws.set_column(1, 1, _width(100))
    lines: list[list[object]] = [
        [("QOF cancer worklist", wb.add_format({"bold": True, "font_size": 14}))],
        ["This workbook names patients. Keep it inside the practice's own systems."],
        [],
        *([key, value] for key, value in facts.items()),
        [],
        [("Sheet", header), ("What it holds", header)],
        *([title, text] for title, table_name, _list, text in worklist_sheets(lists) if table_name in tables),
        [],
        [("Column", header), ("What it means", header)],
        *([column, text] for column, text in column_notes(lists)),
        [],
        [
            ("After each step", wb.add_format({"bold": True})),
            "Record the code in record_code; the next run takes the patient off the list.",
        ],
    ]
    for row, line in enumerate(lines):
        for col, value in enumerate(line):
            text, fmt = value if isinstance(value, tuple) else (value, None)
            ws.write_string(row, col, safe_cell(text), fmt)


class WorklistWorkbook:
    """A run's worklist workbook, ready to be saved once to a path or a binary file (`save`)."""

    def __init__(self, tables: Mapping[str, pa.Table], facts: Mapping[str, str], ruleset: RuleSet) -> None:
        self._tables, self._facts, self._ruleset = tables, facts, ruleset

    def save(self, target: str | Path | IO[bytes]) -> None:
        """Write the workbook to `target`: the About sheet, then each list's, forecast's and PCA sheet."""
        target = str(target) if isinstance(target, Path) else target
        lists = worklist_lists(self._ruleset)
        # in memory: no temporary files; strings_to_* off: text stays text (see `_writer`)
        options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        options |= {"strings_to_urls": False}
        wb = xlsxwriter.Workbook(target, options)
        header = wb.add_format(_HEADER)
        _fill_about(wb, wb.add_worksheet("About"), self._tables, self._facts, lists, header)
        list_header = wb.add_format({**_HEADER, "valign": "top", "text_wrap": True})
        columns_of: dict[str, dict[str, list]] = {}  # each table read into column values once
        rows_in: dict[tuple[str, object], list[int]] = {}  # and its row numbers shared out by `list`
        for title, table_name, list_name, _about in worklist_sheets(lists):
            table = self._tables.get(table_name)
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
            _fill_sheet(wb, wb.add_worksheet(title), columns, values_of, list_header)
        wb.close()


def build_worklist_workbook(
    tables: Mapping[str, pa.Table], facts: Mapping[str, str] | None = None, *, ruleset: RuleSet
) -> WorklistWorkbook:
    """The workbook for a run's worklist tables (the About sheet first), to be saved once. `facts` are
    the run's year, achievement date and the like, shown on the About sheet; `ruleset` the run's rules,
    whose indicators name their sheets."""
    return WorklistWorkbook(tables, facts or {}, ruleset)


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
