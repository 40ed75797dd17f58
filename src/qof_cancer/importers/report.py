"""What an import did: counts by resource type or table, reasons, and the rejects file.

The terminal and the summary carry counts only. Values appear in rejects.csv, inside the user's own output
folder, as they do for `qof-cancer run` (decisions.md, 5).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from qof_cancer.folders import make_private_dir
from qof_cancer.sanitise import safe_cell

__all__ = ["REJECT_COLUMNS", "ImportReport", "RejectLog", "atomic_target"]

REJECT_COLUMNS = ("file", "position", "resource_type", "field", "value", "reason", "action")
_MAX_VALUE = 200  # a whole resource in one cell helps nobody


def atomic_target(target: Path) -> Path:
    """A temporary file (mode 0600) beside `target`, to be renamed over it with `os.replace` when complete."""
    make_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


@dataclass
class ImportReport:
    """Counts per kind of input (a FHIR resource type, or 'patients'/'events' rows for CSV).

    `read`: seen; `converted`: became rows; `skipped[(kind, reason)]`: not converted, and why;
    `notes[(kind, note)]`: converted, with something worth saying (a default applied, a fallback date,
    a coding in another system left out). `other_types`: resources of types the import does not use.
    """

    read: Counter = field(default_factory=Counter)
    converted: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    other_types: Counter = field(default_factory=Counter)
    files: int = 0
    patients_written: int = 0
    events_written: int = 0
    outputs: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary in plain words, counts only."""
        out = [f"{self.files:,} file(s) read"]
        for kind in sorted(self.read):
            out.append(f"{kind}: {self.read[kind]:,} read, {self.converted[kind]:,} converted")
            for (k, reason), n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
                if k == kind:
                    out.append(f"  {n:,} not converted: {reason}")
            for (k, note), n in sorted(self.notes.items(), key=lambda kv: -kv[1]):
                if k == kind:
                    out.append(f"  {n:,} {note}")
        if self.other_types:
            other = ", ".join(f"{t} {n:,}" for t, n in sorted(self.other_types.items()))
            out.append(f"other resource types, not used: {other}")
        out.append(f"wrote {self.patients_written:,} patients and {self.events_written:,} events")
        return out

    def as_dict(self) -> dict:
        """JSON-ready: the same counts, keyed for scripts."""
        kinds = sorted(self.read)
        return {
            "files": self.files,
            "patients_written": self.patients_written,
            "events_written": self.events_written,
            "by_type": {
                kind: {
                    "read": self.read[kind],
                    "converted": self.converted[kind],
                    "skipped": {r: n for (k, r), n in self.skipped.items() if k == kind},
                    "notes": {r: n for (k, r), n in self.notes.items() if k == kind},
                }
                for kind in kinds
            },
            "other_types": dict(self.other_types),
        }


class RejectLog:
    """rejects.csv, written as the import goes (so a large import does not hold its rejects in memory)."""

    def __init__(self, target: Path, report: ImportReport):
        self.target = target
        self.report = report
        self.count = 0
        self._tmp = atomic_target(target)
        self._fh: TextIO = self._tmp.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(REJECT_COLUMNS)

    def add(
        self,
        file: str,
        position: str,
        kind: str,
        field_name: str,
        value: object,
        reason: str,
        action: str = "skipped",
        count: bool = True,
    ) -> None:
        """One line in rejects.csv; `count` also counts it in the summary as a skipped item of `kind`."""
        text = "" if value is None else str(value)
        if len(text) > _MAX_VALUE:
            text = text[: _MAX_VALUE - 1] + "…"
        self._writer.writerow(
            [safe_cell(v) for v in (file, position, kind, field_name, text, reason, action)]
        )
        self.count += 1
        if count:
            self.report.skipped[(kind, f"{field_name}: {reason}" if field_name else reason)] += 1

    def close(self) -> Path | None:
        """Rename into place when anything was rejected; otherwise remove the file (and any stale one)."""
        self._fh.close()
        if self.count:
            os.replace(self._tmp, self.target)
            return self.target
        self._tmp.unlink(missing_ok=True)
        self.target.unlink(missing_ok=True)  # a rejects file from an earlier import would mislead
        return None

    def abort(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)
