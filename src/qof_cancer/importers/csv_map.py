"""Map files: how a GP system's report export names and writes the data contract's columns.

A map is TOML (see docs/import-maps/ for examples and docs/importing.md for every key):

    [file]
    encoding = "utf-8-sig"   # the default; "cp1252" for older Windows exports
    delimiter = ","
    header_line = 1          # the line with the column names; lines above it (a title block) are skipped

    [patients.columns]       # data contract column = the export's column name
    patient_id = "Patient Reference"
    date_of_birth = "Date of Birth"

    [patients.constants]     # one value for every row, for a column the export does not have
    practice_code = "F84001"

    [patients.values.sex]    # the export's value = the data contract's value
    Female = "F"

    [events]
    code_format = "auto"     # auto | plain | "code - term" | "term (code)"

A broken map stops with its file, the key and what is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qof_cancer.errors import RuleFileError
from qof_cancer.importers.values import CODE_FORMATS

__all__ = ["ExportMap", "TableMap", "load_map", "PATIENT_FIELDS", "EVENT_FIELDS"]

PATIENT_FIELDS = (
    "patient_id",
    "practice_code",
    "date_of_birth",
    "sex",
    "registration_start",
    "registration_end",
    "date_of_death",
    "nhs_number",
    "pcn_code",
)
PATIENT_REQUIRED = ("patient_id", "practice_code", "date_of_birth", "sex", "registration_start")
EVENT_FIELDS = ("patient_id", "code", "date", "episode", "value", "unit")
EVENT_REQUIRED = ("patient_id", "code", "date")
_VALUE_MAPS = {"patients": ("sex",), "events": ("episode",)}


@dataclass(frozen=True)
class TableMap:
    """One table: contract column -> export column, constants, and value translations."""

    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {export value (lower): ours}
    code_format: str = "auto"


@dataclass(frozen=True)
class ExportMap:
    path: Path
    patients: TableMap
    events: TableMap
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    header_line: int = 1
    description: str = ""


def _fail(path: Path, key: str, problem: str) -> RuleFileError:
    return RuleFileError(str(path), None, key, problem)


def _strings(path: Path, key: str, table: object, allowed: tuple[str, ...]) -> dict[str, str]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise _fail(path, key, 'expected a table of name = "text" pairs')
    out = {}
    for name, value in table.items():
        if name not in allowed:
            raise _fail(
                path, f"{key}.{name}", f"not a data contract column; expected one of {', '.join(allowed)}"
            )
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, f"{key}.{name}", "expected a non-empty text value")
        out[name] = value.strip()
    return out


def _table(
    path: Path, name: str, raw: object, fields: tuple[str, ...], required: tuple[str, ...]
) -> TableMap:
    if not isinstance(raw, dict):
        raise _fail(path, name, f"missing: the map needs a [{name}.columns] table")
    unknown = set(raw) - {"columns", "constants", "values", "code_format"}
    if unknown:
        raise _fail(path, f"{name}.{sorted(unknown)[0]}", "unknown key; expected columns, constants, values")
    columns = _strings(path, f"{name}.columns", raw.get("columns"), fields)
    constants = _strings(path, f"{name}.constants", raw.get("constants"), fields)
    for column in required:
        if column not in columns and column not in constants:
            raise _fail(path, f"{name}.columns.{column}", "required: name the export's column for it")
    values: dict[str, dict[str, str]] = {}
    raw_values = raw.get("values") or {}
    if not isinstance(raw_values, dict):
        raise _fail(path, f"{name}.values", "expected tables like [patients.values.sex]")
    for column, mapping in raw_values.items():
        if column not in _VALUE_MAPS[name]:
            raise _fail(
                path,
                f"{name}.values.{column}",
                f"values can be translated for {', '.join(_VALUE_MAPS[name])}",
            )
        values[column] = {
            k.strip().lower(): v for k, v in _strings_any(path, f"{name}.values.{column}", mapping).items()
        }
    code_format = raw.get("code_format", "auto")
    if code_format not in CODE_FORMATS:
        raise _fail(
            path, f"{name}.code_format", f"{code_format!r}: expected one of {', '.join(CODE_FORMATS)}"
        )
    return TableMap(columns, constants, values, code_format)


def _strings_any(path: Path, key: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise _fail(path, key, 'expected a table of "export value" = "our value" pairs')
    return dict(table)


def load_map(path: Path) -> ExportMap:
    """Read and check a map file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(str(path), None, "file", "no such map file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(str(path), None, "TOML", str(exc)) from None
    unknown = set(raw) - {"file", "patients", "events", "description"}
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown table; expected [file], [patients], [events]")
    file = raw.get("file") or {}
    encoding, delimiter, header_line = (
        file.get("encoding", "utf-8-sig"),
        file.get("delimiter", ","),
        file.get("header_line", 1),
    )
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(path, "file.delimiter", 'expected one character, e.g. "," or "\\t"')
    if not isinstance(header_line, int) or header_line < 1:
        raise _fail(path, "file.header_line", "expected a line number, 1 or more")
    try:
        "".encode(encoding)
    except (LookupError, TypeError):
        raise _fail(path, "file.encoding", f"{encoding!r} is not a known text encoding") from None
    return ExportMap(
        path,
        _table(path, "patients", raw.get("patients"), PATIENT_FIELDS, PATIENT_REQUIRED),
        _table(path, "events", raw.get("events"), EVENT_FIELDS, EVENT_REQUIRED),
        encoding,
        delimiter,
        header_line,
        str(raw.get("description", "")),
    )
