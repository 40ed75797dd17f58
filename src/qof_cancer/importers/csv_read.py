"""Read GP system report exports (CSV) through a map into staged rows, one row at a time.

Each row keeps its file and line (the physical line where the record ends, as a text editor shows it),
so every problem in rejects.csv can be found. Several files per table are read one after the other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from qof_cancer.errors import InputError
from qof_cancer.importers.csv_map import ExportMap, TableMap
from qof_cancer.importers.report import ImportReport, RejectLog
from qof_cancer.importers.staging import Stage
from qof_cancer.importers.values import extract_code, nhs_number_problem, parse_uk_date
from qof_cancer.sanitise import describe_header

__all__ = ["CsvReader", "SEXES"]

SEXES = {
    "f": "F",
    "female": "F",
    "m": "M",
    "male": "M",
    "i": "I",
    "indeterminate": "I",
    "u": "U",
    "unknown": "U",
}
EPISODES = ("first", "new", "review", "ended", "changed", "evolved", "flare-up")
_PROGRESS_EVERY = 5_000
_extract_code = lru_cache(maxsize=100_000)(extract_code)  # exports repeat a few thousand code cells


class _RowProblem(Exception):
    def __init__(self, column: str, value: object, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class CsvReader:
    """Reads mapped exports into the stage. `extract_date` decides the century of two-digit years."""

    export_map: ExportMap
    stage: Stage
    rejects: RejectLog
    report: ImportReport
    extract_date: date = field(default_factory=date.today)

    def _rows(self, path: Path, table: TableMap, kind: str, advance: Callable[[int], None]):
        """(line, {contract column: text or None}) per record, after checking the header."""
        m = self.export_map
        raw = path.open("rb")
        try:
            text = io.TextIOWrapper(raw, encoding=m.encoding, newline="")
            reader = csv.reader(text, delimiter=m.delimiter)
            header: list[str] | None = None
            for _ in range(m.header_line):
                header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: line {m.header_line}: no header line (the file is shorter)")
            found = {name.strip().lower(): i for i, name in enumerate(header)}
            index = {}
            for column, name in table.columns.items():
                if name.lower() not in found:
                    raise InputError(
                        f"{path}: line {reader.line_num}: column '{name}' ({kind} {column} in "
                        f"{m.path.name}) is missing ({describe_header(name, header, table.columns.values())})"
                    )
                index[column] = found[name.lower()]
            done = 0
            for n, record in enumerate(reader):
                if n % _PROGRESS_EVERY == 0:
                    advance(raw.tell() - done)
                    done = raw.tell()
                if not any(cell.strip() for cell in record):
                    continue  # a blank line is not a record
                line = f"line {reader.line_num}"
                self.report.read[kind] += 1
                if len(record) != len(header):
                    self.rejects.add(
                        str(path),
                        line,
                        kind,
                        "",
                        len(record),
                        f"row has {len(record)} fields; the header has {len(header)}",
                    )
                    continue
                values = {c: (record[i].strip() or None) for c, i in index.items()}
                for c, v in table.constants.items():
                    values.setdefault(c, v)
                    if values[c] is None:
                        values[c] = v
                yield line, values
            advance(path.stat().st_size - done)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not {m.encoding} text ({exc.reason}); set [file] encoding in the map"
            ) from None
        except csv.Error as exc:
            raise InputError(f"{path}: cannot be read as CSV: {exc}") from None
        finally:
            raw.close()

    def _date(self, values: dict, column: str, required: bool = False) -> date | None:
        text = values.get(column)
        if text is None:
            if required:
                raise _RowProblem(column, None, "required value missing")
            return None
        try:
            return parse_uk_date(text, self.extract_date)
        except ValueError as exc:
            raise _RowProblem(column, text, str(exc)) from None

    def _mapped(self, table: TableMap, column: str, text: str) -> str:
        return table.values.get(column, {}).get(text.lower(), text)

    def read_patients(self, path: Path, advance: Callable[[int], None]) -> None:
        table, kind = self.export_map.patients, "patients"
        for line, v in self._rows(path, table, kind, advance):
            try:
                for column in ("patient_id", "practice_code"):
                    if v.get(column) is None:
                        raise _RowProblem(column, None, "required value missing")
                sex_text = v.get("sex")
                if sex_text is None:
                    raise _RowProblem("sex", None, "required value missing")
                sex = SEXES.get(self._mapped(table, "sex", sex_text).lower())
                if sex is None:
                    raise _RowProblem(
                        "sex", sex_text, "sex not recognised: add it to [patients.values.sex] in the map"
                    )
                row = {
                    "_key": v["patient_id"],
                    "patient_id": v["patient_id"],
                    "practice_code": v["practice_code"].upper(),
                    "date_of_birth": self._date(v, "date_of_birth", required=True),
                    "sex": sex,
                    "registration_start": self._date(v, "registration_start", required=True),
                    "registration_end": self._date(v, "registration_end"),
                    "date_of_death": self._date(v, "date_of_death"),
                    "nhs_number": v.get("nhs_number"),
                    "pcn_code": v.get("pcn_code"),
                }
            except _RowProblem as p:
                self.rejects.add(str(path), line, kind, p.column, p.value, p.reason)
                if v.get("patient_id"):
                    self.stage.rejected[v["patient_id"]] = p.reason
                continue
            nhs = row["nhs_number"]
            if nhs is not None and (problem := nhs_number_problem(nhs)):
                self.rejects.add(
                    str(path), line, kind, "nhs_number", nhs, problem, "value ignored", count=False
                )
                self.report.notes[(kind, "NHS number not valid: left out")] += 1
                row["nhs_number"] = None
            elif nhs is not None:
                row["nhs_number"] = nhs.replace(" ", "")
            self.stage.patients.add({**row, "_file": str(path), "_position": line, "_kind": kind})

    def read_events(self, path: Path, advance: Callable[[int], None]) -> None:
        table, kind = self.export_map.events, "events"
        for line, v in self._rows(path, table, kind, advance):
            try:
                if v.get("patient_id") is None:
                    raise _RowProblem("patient_id", None, "required value missing")
                cell = v.get("code")
                if cell is None:
                    raise _RowProblem("code", None, "required value missing")
                try:
                    code = _extract_code(cell, table.code_format)
                except ValueError as exc:
                    raise _RowProblem("code", cell, str(exc)) from None
                when = self._date(v, "date", required=True)
                episode = v.get("episode")
                if episode is not None:
                    episode = self._mapped(table, "episode", episode).lower()
                    if episode not in EPISODES:
                        raise _RowProblem(
                            "episode", v["episode"], "episode must be one of " + ", ".join(EPISODES)
                        )
            except _RowProblem as p:
                self.rejects.add(str(path), line, kind, p.column, p.value, p.reason)
                continue
            value = None
            if v.get("value") is not None:
                try:
                    value = float(v["value"])
                except ValueError:
                    self.rejects.add(
                        str(path),
                        line,
                        kind,
                        "value",
                        v["value"],
                        "not a number",
                        "value ignored",
                        count=False,
                    )
                    self.report.notes[(kind, "value not a number: left out")] += 1
            self.stage.events.add(
                {
                    "_key": v["patient_id"],
                    "code": code,
                    "date": when,
                    "episode": episode,
                    "value": value,
                    "unit": v.get("unit"),
                    "_file": str(path),
                    "_position": line,
                    "_kind": kind,
                    "_first": True,
                }
            )
