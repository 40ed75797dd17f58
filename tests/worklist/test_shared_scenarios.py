"""The worklist's scenarios are shared with the run's own evaluations where they are the same query over
the same data, and computed where they are not: the worklist is the same either way."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer import api
from qof_cancer.engine.reference import Patient
from qof_cancer.engine.run import Run
from qof_cancer.worklist import FEATURE as WORKLIST
from tests.helpers import as_event, write_inputs

PATIENTS = [
    Patient("a1", "A00001", date(1950, 1, 1), events=(as_event(["CAN_COD", "2024-06-01"]),)),
    Patient(
        "a2",
        "A00001",
        date(1950, 1, 1),
        events=(as_event(["CAN_COD", "2024-05-01"]), as_event(["MDRV_COD", "2024-09-01"])),
    ),
    Patient("a3", "A00001", date(1950, 1, 1), events=(as_event(["CAN_COD", "2023-01-01"]),)),
]


@pytest.fixture()
def evaluations(monkeypatch) -> dict:
    """Every evaluation the run makes, by name."""
    seen: dict = {}
    real = Run._evaluate

    def spy(self, name, *args, **kwargs):
        seen[name] = real(self, name, *args, **kwargs)
        return seen[name]

    monkeypatch.setattr(Run, "_evaluate", spy)
    return seen


def _worklist(result) -> list[tuple]:
    return sorted((r["patient_id"], r["indicator"], r["list"]) for r in result.tables["worklist"].to_pylist())


def test_a_closed_year_shares_the_year_end_and_last_year(tmp_path, evaluations):
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    result = api.run(ppath, epath, year="2024-25", today=date(2026, 6, 1), features=(WORKLIST,))
    assert evaluations["worklist_as_is"].shares == ""  # at ACH = PPED: the run's own evaluation
    assert evaluations["worklist_done"].shares == ""  # nothing can be recorded in time any more
    assert evaluations["worklist_previous"].shares == "protected_2023_24"
    # Every patient not met is missed: the same list as the scenarios computed give.
    missed = [(p, i) for p, i, kind in _worklist(result) if kind == "missed"]
    assert ("a1", "CAN005") in missed and all(kind == "missed" for *_, kind in _worklist(result))


def test_an_in_year_run_computes_the_year_end_scenarios(tmp_path, evaluations):
    ppath, epath = write_inputs(tmp_path, PATIENTS)
    day = date(2024, 12, 1)
    result = api.run(ppath, epath, year="2024-25", as_of=day, today=day, features=(WORKLIST,))
    assert evaluations["worklist_as_is"].shares is None and evaluations["worklist_done"].shares is None
    assert evaluations["worklist_as_is"].events == "worklist_as_is_events"
    on_list = [(p, i) for p, i, kind in _worklist(result) if kind != "missed"]
    assert ("a1", "CAN004") in on_list  # diagnosed in June, review due within the year: can be done
