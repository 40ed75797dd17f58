"""Small screening inputs: one row per patient, events by cluster name or code."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from qof_cancer.codes import load_clusters

HEADER = [
    "patient_id",
    "practice_code",
    "pcn_code",
    "date_of_birth",
    "sex",
    "registration_start",
    "registration_end",
    "date_of_death",
    "mobile_phone",
    "home_phone",
    "imd_quintile",
    "ethnicity",
    "main_language",
    "interpreter_needed",
]


@dataclass
class P:
    """A patient for a screening case. `events` are (cluster id or code, date) pairs."""

    patient_id: str
    dob: date
    sex: str = "F"
    practice: str = "A00001"
    pcn: str | None = "U00001"
    registered: date | None = None  # default: 2000-01-01, or the birth date if later
    left: date | None = None
    died: date | None = None
    mobile: str | None = "07911 123456"
    home: str | None = None
    imd: str | None = None
    ethnicity: str | None = None
    language: str | None = "English"
    interpreter: str | None = "false"
    events: list[tuple[str, date]] = field(default_factory=list)


@cache
def _clusters():
    return load_clusters(groups=("screening",))


def code_of(cluster_or_code: str, pick: str | None = None) -> str:
    """A bundled code of a screening cluster (the `pick` code if given, checked to be in it)."""
    if not cluster_or_code.endswith("_COD"):
        return cluster_or_code
    codes = _clusters()[cluster_or_code].codes
    if pick is not None:
        assert pick in codes, f"{pick} not in {cluster_or_code}"
        return pick
    return sorted(codes)[0]


def write_screening_inputs(folder: Path, patients: Iterable[P]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ppath, epath = folder / "patients.csv", folder / "events.csv"
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    with ppath.open("w", newline="") as pf, epath.open("w", newline="") as ef:
        pw, ew = csv.writer(pf), csv.writer(ef)
        pw.writerow(HEADER)
        ew.writerow(["patient_id", "code", "date"])
        for p in patients:
            pw.writerow(
                [
                    p.patient_id,
                    p.practice,
                    p.pcn or "",
                    iso(p.dob),
                    p.sex,
                    iso(p.registered or max(p.dob, date(2000, 1, 1))),
                    iso(p.left),
                    iso(p.died),
                    p.mobile or "",
                    p.home or "",
                    p.imd or "",
                    p.ethnicity or "",
                    p.language or "",
                    p.interpreter or "",
                ]
            )
            for code, day in p.events:
                ew.writerow([p.patient_id, code_of(code), day.isoformat()])
    return ppath, epath
