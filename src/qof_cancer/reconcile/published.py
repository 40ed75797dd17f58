"""Read a practice's published or CQRS figures into one long form: (practice, indicator, measure, value).

Three layouts are read, told apart by their header row (column names in any case):
- NHS Digital's ACHIEVEMENT file: `PRACTICE_CODE, INDICATOR_CODE, MEASURE, VALUE` with measures such as
  REGISTER, NUMERATOR, DENOMINATOR, PCAS, ACHIEVED_POINTS (other columns are ignored);
- NHS Digital's INDICATOR_VALUES extract: `ORG_CODE, IND_CODE, FIELD_NAME, VALUE` (and `ACH_DATE`);
- this tool's own `indicator_values.csv`: `practice_code, achievement_date, indicator, field_name, value`.

INDICATOR_VALUES field names become measures as they are (CAN_DAT24M, MDRV_DAT...), with `Cancer
Register`, `Numerator` and `Denominator` read as REGISTER, NUMERATOR and DENOMINATOR, so both layouts
compare with the same figures of a run.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from qof_cancer.engine.national import DENOMINATOR_FIELD, NUMERATOR_FIELD, REGISTER_FIELD
from qof_cancer.errors import UserError
from qof_cancer.model.ruleset import RuleSet

__all__ = ["Published", "read_published", "year_to_run", "FIELD_MEASURES", "MAX_ROWS"]

FIELD_MEASURES = {REGISTER_FIELD: "REGISTER", NUMERATOR_FIELD: "NUMERATOR", DENOMINATOR_FIELD: "DENOMINATOR"}
# A practice-level file has a few dozen rows per practice; this bounds the work a wrong file causes.
MAX_ROWS = 2_000_000

_LAYOUTS = {
    "ACHIEVEMENT": ("practice_code", "indicator_code", "measure", "value"),
    "INDICATOR_VALUES": ("org_code", "ind_code", "field_name", "value"),
    "indicator_values.csv": ("practice_code", "indicator", "field_name", "value"),
}
_DATE_COLUMNS = ("ach_date", "achievement_date")


@dataclass
class Published:
    """The published figures of one file, for the indicators a run computes."""

    path: Path
    layout: str
    values: dict[tuple[str, str, str], float] = field(default_factory=dict)
    achievement_dates: set[date] = field(default_factory=set)
    other_indicators: int = 0  # rows for indicators this tool does not compute (other QOF domains)

    @property
    def practices(self) -> set[str]:
        return {p for p, _, _ in self.values}


def year_to_run(figures: Published, ruleset: RuleSet, year: str | None, as_of: date | None) -> str | None:
    """The QOF year to compute beside `figures`: `year` when given, the year of `as_of` (None: the run
    works it out) when that is given, and otherwise the year of the file's one achievement date."""
    if year is not None or as_of is not None:
        return year
    if len(figures.achievement_dates) != 1:
        raise UserError(
            f"{figures.path}: give --year: the file names no single achievement date "
            f"({len(figures.achievement_dates)} found)"
        )
    (day,) = figures.achievement_dates
    return ruleset.year_for(day).id


def _date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_published(path: Path, indicators: tuple[str, ...]) -> Published:
    """Read `path`; keep the rows of `indicators`. A foreign or broken file is a UserError naming the
    file, and the row, column and value where a value is wrong."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file (give the published ACHIEVEMENT or INDICATOR_VALUES CSV)")
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        reader = csv.reader(handle)
        header = next(reader, None)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read as a UTF-8 CSV file ({type(exc).__name__})") from None
    with handle:
        if not header:
            raise UserError(f"{path}: the file is empty")
        names = [h.strip().lower() for h in header]
        layout = next((k for k, cols in _LAYOUTS.items() if set(cols) <= set(names)), None)
        if layout is None:
            expected = "; or ".join(", ".join(c.upper() for c in cols) for cols in _LAYOUTS.values())
            raise UserError(
                f"{path}: not a published QOF file: its header has none of the expected column sets "
                f"({expected})"
            )
        practice_col, indicator_col, measure_col, value_col = (names.index(c) for c in _LAYOUTS[layout])
        date_col = next((names.index(c) for c in _DATE_COLUMNS if c in names), None)
        published = Published(path, layout)
        wanted = set(indicators)
        for row_no, row in enumerate(reader, start=2):
            if row_no > MAX_ROWS:
                raise UserError(f"{path}: more than {MAX_ROWS:,} rows; is this a practice-level file?")
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(names):
                raise UserError(f"{path}: row {row_no}: {len(row)} values for {len(names)} columns")
            indicator = row[indicator_col].strip().upper()
            if indicator not in wanted:
                published.other_indicators += 1
                continue
            raw = row[value_col].strip()
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise UserError(
                    f"{path}: row {row_no}, column {header[value_col].strip()}: value {raw[:40]!r} is not a number"
                )
            measure = row[measure_col].strip()
            measure = FIELD_MEASURES.get(measure, measure.upper() if layout == "ACHIEVEMENT" else measure)
            key = (row[practice_col].strip().upper(), indicator, measure)
            if key in published.values:
                raise UserError(
                    f"{path}: row {row_no}: {key[0]} {indicator} {measure} is given twice in the file"
                )
            published.values[key] = value
            if date_col is not None and (day := _date(row[date_col])) is not None:
                published.achievement_dates.add(day)
    if not published.values:
        raise UserError(
            f"{path}: no rows for {', '.join(indicators)} ({published.other_indicators} rows for other "
            "indicators)"
        )
    return published
