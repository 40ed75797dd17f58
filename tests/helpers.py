"""Test helpers: write small patient tables as input files, and read the bundled clusters."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from qof_cancer.codes import load_clusters
from qof_cancer.engine.reference import Event, Patient

PATIENT_HEADER = [
    "patient_id",
    "practice_code",
    "date_of_birth",
    "sex",
    "registration_start",
    "registration_end",
    "date_of_death",
    "pcn_code",
]


@functools.cache
def cluster_code(cluster_or_code: str) -> str:
    """The first bundled code of a cluster (sorted), or the value itself when it is a code.

    Cached: reading the bundled clusters takes a second or more, and generated tests ask thousands of
    times (it was most of each generated example's time)."""
    if str(cluster_or_code).endswith("_COD"):
        return sorted(load_clusters()[str(cluster_or_code)].codes)[0]
    return str(cluster_or_code)


def write_inputs(
    folder: Path, patients: Iterable[Patient], dob: date = date(1950, 1, 1)
) -> tuple[Path, Path]:
    """Write reference-evaluator patients as patients.csv and events.csv in the data contract."""
    folder.mkdir(parents=True, exist_ok=True)
    ppath, epath = folder / "patients.csv", folder / "events.csv"
    with ppath.open("w", newline="") as pf, epath.open("w", newline="") as ef:
        pw, ew = csv.writer(pf), csv.writer(ef)
        pw.writerow(PATIENT_HEADER)
        ew.writerow(["patient_id", "code", "date", "episode"])
        for p in patients:
            pw.writerow(
                [
                    p.patient_id,
                    p.practice_code,
                    dob.isoformat(),
                    "F",
                    p.registration_start.isoformat(),
                    p.registration_end.isoformat() if p.registration_end else "",
                    p.date_of_death.isoformat() if p.date_of_death else "",
                    p.pcn_code or "",
                ]
            )
            for e in p.events:
                ew.writerow([p.patient_id, e.code, e.date.isoformat(), e.episode or ""])
    return ppath, epath


def outcome_map(rows: Iterable[dict]) -> dict[tuple[str, str], tuple[str, str]]:
    """(patient_id, indicator) -> (outcome, rule)."""
    return {(r["patient_id"], r["indicator"]): (r["outcome"], r["rule"]) for r in rows}


def as_event(item: list) -> Event:
    code, day, *rest = item
    return Event(
        cluster_code(code),
        day if isinstance(day, date) else date.fromisoformat(str(day)),
        rest[0] if rest else None,
    )


def diagnosed_patients(ids: Iterable[str], diagnosed: date = date(2023, 6, 1)) -> list[Patient]:
    """One patient per id at practice A00001 (PCN U00001), registered since 2000, each with a cancer
    diagnosis (CAN_COD) on `diagnosed`: a register whose ids can be as awkward as a test needs."""
    return [
        Patient(
            patient_id=pid,
            practice_code="A00001",
            pcn_code="U00001",
            registration_start=date(2000, 1, 1),
            events=(as_event(["CAN_COD", diagnosed]),),
        )
        for pid in ids
    ]
