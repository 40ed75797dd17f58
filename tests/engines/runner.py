"""The rules run on one engine over in-memory patients: the reference evaluator, or a SQL backend (DuckDB,
Spark, PostgreSQL) with the patients registered as tables and `engine.evaluate` run on them.

No input files and no `api.run`: the canonical tables are built directly, so the spec cases and the
generated patients reach every engine in a fraction of the time a run through CSV files takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from qof_cancer.engine.compiler import OUTCOME_COLUMNS
from qof_cancer.engine.reference import Patient, evaluate_reference
from qof_cancer.engine.run import Run
from qof_cancer.inputs.backends import Backend
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["Engine", "ReferenceEngine", "SqlEngine", "load_patients"]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text_table(columns: dict[str, list]) -> pa.Table:
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def load_patients(
    backend: Backend,
    patients: Iterable[Patient],
    clusters: Mapping[str, frozenset[str]],
    dob: date = date(1900, 1, 1),
) -> None:
    """Create the canonical tables patients, events and cluster_codes (inputs.validate's shapes) on
    `backend`. Registered as text, then typed by SQL, so every engine gets the same column types."""
    patients = list(patients)
    backend.register(
        "patients_text",
        _text_table(
            {
                "patient_id": [p.patient_id for p in patients],
                "practice_code": [p.practice_code for p in patients],
                "pcn_code": [p.pcn_code for p in patients],
                "date_of_birth": [dob.isoformat()] * len(patients),
                "registration_start": [_iso(p.registration_start) for p in patients],
                "registration_end": [_iso(p.registration_end) for p in patients],
                "date_of_death": [_iso(p.date_of_death) for p in patients],
            }
        ),
    )
    events = [(p.patient_id, e) for p in patients for e in p.events]
    backend.register(
        "events_text",
        _text_table(
            {
                "patient_id": [pid for pid, _ in events],
                "code": [e.code for _, e in events],
                "date": [_iso(e.date) for _, e in events],
                "episode": [e.episode for _, e in events],
            }
        ),
    )
    pairs = sorted((cid, code) for cid, codes in clusters.items() for code in codes)
    backend.register(
        "cluster_codes", _text_table({"cluster_id": [c for c, _ in pairs], "code": [c for _, c in pairs]})
    )
    backend.materialize(
        "patients",
        "SELECT patient_id, practice_code, pcn_code, CAST(date_of_birth AS DATE) AS date_of_birth, "
        "CAST(registration_start AS DATE) AS registration_start, "
        "CAST(registration_end AS DATE) AS registration_end, "
        "CAST(date_of_death AS DATE) AS date_of_death FROM patients_text",
    )
    backend.materialize(
        "events",
        "SELECT patient_id, code, CAST(date AS DATE) AS date, lower(episode) AS episode FROM events_text",
    )


class Engine:
    """Outcome rows (dicts with OUTCOME_COLUMNS) for patients under a rule set and period."""

    name: str

    def outcomes(
        self,
        ruleset: RuleSet,
        period: Period,
        clusters: Mapping[str, frozenset[str]],
        patients: list[Patient],
    ) -> list[dict]:
        raise NotImplementedError


@dataclass
class ReferenceEngine(Engine):
    name: str = "reference"

    def outcomes(self, ruleset, period, clusters, patients):
        return evaluate_reference(ruleset, period, clusters, patients)


@dataclass
class SqlEngine(Engine):
    name: str
    backend: Backend

    def outcomes(self, ruleset, period, clusters, patients):
        load_patients(self.backend, patients, clusters)
        store_over(self.backend).evaluate(ruleset, period)
        table = self.backend.arrow(
            f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM outcomes ORDER BY practice_code, indicator, patient_id"
        )
        return table.to_pylist()


def store_over(backend: Backend) -> Run:
    """The run's store over tables already on `backend` (registered by `load_patients`, not read from
    files: no code lists object or load report behind them)."""
    return Run(backend, clusters=None, load=None, today=date.today())  # type: ignore[arg-type]
