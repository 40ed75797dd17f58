"""Run small patient tables through the whole pipeline and read back the worklist feature's tables."""

from __future__ import annotations

from datetime import date
from itertools import count
from pathlib import Path

import pytest

from qof_cancer import api
from qof_cancer.engine.reference import Patient
from tests.helpers import as_event, write_inputs

_ids = count()


def patient(events: list, registered: date = date(2000, 1, 1), practice: str = "A00001", **kw) -> Patient:
    """A patient from [cluster or code, date] pairs, registered long ago unless told otherwise."""
    return Patient(
        patient_id=kw.pop("patient_id", f"p{next(_ids):04d}"),
        practice_code=practice,
        pcn_code="U00001",
        registration_start=registered,
        events=tuple(as_event(e) for e in events),
        **kw,
    )


@pytest.fixture
def run_worklist(tmp_path: Path):
    """run_worklist(patients, as_of=..., year=..., today=...) -> api.RunResult (tables on .tables)."""

    def run(
        patients: list[Patient],
        as_of: date | None,
        year: str = "2023-24",
        today: date | None = None,
        settings: dict | None = None,
    ):
        folder = tmp_path / f"run{next(_ids)}"
        ppath, epath = write_inputs(folder, patients)
        return api.run(
            ppath,
            epath,
            year=year,
            as_of=as_of,
            today=today or as_of or date(2030, 1, 1),
            settings=settings,
        )

    return run


def rows(result, list_name: str | None = None) -> list[dict]:
    out = result.tables["worklist"].to_pylist()
    return [r for r in out if list_name is None or r["list"] == list_name]
