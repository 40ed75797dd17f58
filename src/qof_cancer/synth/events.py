"""Collects coded events as numpy columns and turns them into the contract's events table.

Modules add whole arrays at a time (no per-patient Python), by patient index within the batch.
Every event is checked against the patient's record: nothing before birth and nothing after the
record ends (the as-of date, death or leaving), so the output never breaks the data contract.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EPISODES", "EVENTS_SCHEMA", "PLANTED_SCHEMA", "EventBuilder", "PlantedBuilder"]

EPISODES = ("first", "new", "review", "ended", "changed", "evolved", "flare-up")

EVENTS_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("code", pa.string()),
        ("date", pa.date32()),
        ("episode", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)
PLANTED_SCHEMA = pa.schema([("patient_id", pa.string()), ("fault", pa.string())])


class EventBuilder:
    """Events for one batch of patients; `first_day`/`last_day` bound each patient's record."""

    def __init__(self, first_day: np.ndarray, last_day: np.ndarray):
        self.first_day = first_day
        self.last_day = last_day
        self._codes: dict[str, int] = {}
        self._units: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, ...]] = []

    def recordable(self, patient: np.ndarray, day: np.ndarray) -> np.ndarray:
        """True where an event on `day` fits inside the patient's record."""
        return (day >= self.first_day[patient]) & (day <= self.last_day[patient])

    def code_ids(self, codes: tuple[str, ...] | list[str]) -> np.ndarray:
        """Integer ids for codes, registering new ones."""
        return np.array([self._codes.setdefault(c, len(self._codes)) for c in codes], dtype=np.int32)

    def add(
        self,
        patient: np.ndarray,
        code: str | int | np.ndarray,
        day: np.ndarray,
        *,
        episode: np.ndarray | str | None = None,
        value: np.ndarray | None = None,
        unit: str | None = None,
    ) -> None:
        """Add events; `code` is one code for all rows or an array of ids from `code_ids`.

        `episode` is an index into EPISODES per row (-1 for none) or one episode name.
        """
        n = len(patient)
        if n == 0:
            return
        if isinstance(code, str):
            code_id = np.full(n, self.code_ids([code])[0], np.int32)
        elif np.ndim(code) == 0:  # one id for every row
            code_id = np.full(n, code, np.int32)
        else:
            code_id = np.asarray(code, np.int32)
        if episode is None:
            episode_id = np.full(n, -1, np.int8)
        elif isinstance(episode, str):
            episode_id = np.full(n, EPISODES.index(episode), np.int8)
        else:
            episode_id = episode.astype(np.int8)
        values = np.full(n, np.nan) if value is None else value.astype(np.float64)
        unit_id = np.full(n, -1 if unit is None else self._units.setdefault(unit, len(self._units)), np.int8)
        keep = self.recordable(patient, day)
        self._parts.append(
            tuple(
                a[keep]
                for a in (
                    patient.astype(np.int64),
                    code_id,
                    day.astype(np.int32),
                    episode_id,
                    values,
                    unit_id,
                )
            )
        )

    def __len__(self) -> int:
        return sum(len(p[0]) for p in self._parts)

    def to_table(self, patient_ids: pa.Array) -> pa.Table:
        """The events table, sorted by patient then date (as a clinical system would export it)."""
        if self._parts:
            patient, code, day, episode, value, unit = (
                np.concatenate(c) for c in zip(*self._parts, strict=True)
            )
        else:
            patient, code, day, episode, value, unit = (
                np.empty(0, t) for t in ("i8", "i4", "i4", "i1", "f8", "i1")
            )
        order = np.lexsort((code, day, patient))
        patient, code, day, episode, value, unit = (
            a[order] for a in (patient, code, day, episode, value, unit)
        )
        codes = pa.array(sorted(self._codes, key=self._codes.get), pa.string())
        units = pa.array(sorted(self._units, key=self._units.get), pa.string())
        return pa.table(
            [
                pc.take(patient_ids, pa.array(patient)),
                pc.take(codes, pa.array(code)),
                pa.array(day, pa.date32()),
                pc.take(pa.array(EPISODES), pa.array(episode, mask=episode < 0)),
                pa.array(value, mask=np.isnan(value)),
                pc.take(units, pa.array(unit, mask=unit < 0))
                if len(units)
                else pa.nulls(len(unit), pa.string()),
            ],
            schema=EVENTS_SCHEMA,
        )


class PlantedBuilder:
    """The planted faults and traps of one batch: which patient, which fault."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, str]] = []

    def add(self, patient: np.ndarray, fault: str) -> None:
        self._parts.append((np.unique(patient.astype(np.int64)), fault))

    def to_table(self, patient_ids: pa.Array) -> pa.Table:
        if not self._parts:
            return PLANTED_SCHEMA.empty_table()
        patient = np.concatenate([p for p, _ in self._parts])
        faults = np.concatenate([np.full(len(p), f, dtype=object) for p, f in self._parts])
        order = np.lexsort((faults.astype(str), patient))
        return pa.table(
            [pc.take(patient_ids, pa.array(patient[order])), pa.array(faults[order], pa.string())],
            schema=PLANTED_SCHEMA,
        )
