"""Generate synthetic practices as Arrow tables, or stream them to CSV or Parquet files.

Each practice is built in fixed blocks of patients, each block with its own random stream derived
from (seed, practice, block). The output therefore depends only on the arguments, never on how a
writer chunks it, and memory stays bounded however many patients are asked for.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from qof_cancer.synth.background import write_background
from qof_cancer.synth.cancer import (
    REGISTER_START,
    day_number,
    draw_diagnoses,
    write_cancer_events,
    write_nmsc,
)
from qof_cancer.synth.contact import make_contact, valid_test_nhs_numbers
from qof_cancer.synth.events import EVENTS_SCHEMA, PLANTED_SCHEMA, EventBuilder, PlantedBuilder
from qof_cancer.synth.like import PracticeShape, shape_params
from qof_cancer.synth.national import prevalence_targets
from qof_cancer.synth.params import SynthParams
from qof_cancer.synth.population import (
    ETHNICITIES,
    NO_DATE,
    REGISTERED,
    Population,
    Practice,
    make_population,
    make_practice,
)
from qof_cancer.synth.screening import write_ld_smi, write_screening

__all__ = [
    "DEFAULT_AS_OF",
    "BLOCK_SIZE",
    "PATIENTS_SCHEMA",
    "SynthBatch",
    "generate",
    "generate_batches",
    "generate_with_planted",
    "write_synthetic",
]

DEFAULT_AS_OF = date(2025, 11, 15)  # fixed, so output does not change with the day it is run
BLOCK_SIZE = 20_000  # patients per random stream and per batch

PATIENTS_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("practice_code", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("registration_start", pa.date32()),
        ("registration_end", pa.date32()),
        ("date_of_death", pa.date32()),
        ("nhs_number", pa.string()),
        ("mobile_phone", pa.string()),
        ("home_phone", pa.string()),
        ("email", pa.string()),
        ("lsoa_code", pa.string()),
        ("imd_quintile", pa.int8()),
        ("ethnicity", pa.string()),
        ("main_language", pa.string()),
        ("interpreter_needed", pa.bool_()),
        ("pcn_code", pa.string()),
    ]
)


@dataclass(frozen=True)
class SynthBatch:
    """One block of patients with their events and the faults planted in them."""

    patients: pa.Table
    events: pa.Table
    planted: pa.Table


def _ppsd(as_of: date) -> int:
    """Start of the QOF year holding `as_of` (1 April)."""
    return day_number(date(as_of.year if as_of.month >= 4 else as_of.year - 1, 4, 1))


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days, pa.date32(), mask=days == NO_DATE)


def _register_share(rng: np.random.Generator, pop: Population, params: SynthParams) -> float:
    """The share of the list the register would hold with these parameters, on a copy of the stream.

    Counts what the CAN001 register keeps: a diagnosis from 2003-04-01, or an earlier one re-coded
    since, and not coded only as a morphology.
    """
    dx = draw_diagnoses(copy.deepcopy(rng), pop, params)
    listed = pop.status == REGISTERED
    recent = np.count_nonzero(listed & (dx != NO_DATE) & (dx >= REGISTER_START))
    older = np.count_nonzero(listed & (dx != NO_DATE) & (dx < REGISTER_START))
    kept = (recent + older * params.pre2003_recode_share) * (1 - params.morphology_only_share)
    return kept / max(np.count_nonzero(listed), 1)


def _calibrated(rng: np.random.Generator, pop: Population, params: SynthParams, target: float) -> SynthParams:
    """`params` with the incidence scale that puts this block's register at `target` of its list.

    Each trial draws from a copy of the same random stream (common random numbers), so the register
    grows steadily with the scale and a bisection finds it to within a patient or two.
    """
    low, high = 0.0, params.incidence_scale * 8
    for _ in range(30):
        mid = (low + high) / 2
        if _register_share(rng, pop, replace(params, incidence_scale=mid)) < target:
            low = mid
        else:
            high = mid
    return replace(params, incidence_scale=(low + high) / 2)


def _make_batch(
    rng: np.random.Generator,
    practice: Practice,
    first_local: int,
    n: int,
    first_global: int,
    nhs_permutation: np.ndarray,
    as_of: date,
    params: SynthParams,
    prevalence: float | None = None,
) -> SynthBatch:
    as_of_day = day_number(as_of)
    pop = make_population(rng, n, practice, as_of_day, params)
    if prevalence is not None:
        params = _calibrated(rng, pop, params, prevalence)
    events = EventBuilder(first_day=pop.dob, last_day=pop.last_day)
    planted = PlantedBuilder()
    diagnoses = draw_diagnoses(rng, pop, params)
    write_cancer_events(rng, pop, practice, diagnoses, _ppsd(as_of), events, planted, params)
    write_nmsc(rng, pop, events, planted, params)
    write_ld_smi(rng, pop, events)
    write_screening(rng, pop, events, planted, params)
    write_background(rng, pop, events, params.background_events_per_patient)
    contact = make_contact(rng, first_global + np.arange(n), nhs_permutation, params, planted)

    local = pc.utf8_lpad(pc.cast(pa.array(first_local + np.arange(n)), pa.string()), 7, "0")
    patient_ids = pc.binary_join_element_wise(f"{practice.code}-", local, "")
    has_lsoa = pop.lsoa >= 0
    patients = pa.table(
        [
            patient_ids,
            pa.array(np.full(n, practice.code)),
            _dates(pop.dob),
            pa.array(pop.sex),
            _dates(pop.reg_start),
            _dates(pop.reg_end),
            _dates(pop.death),
            contact["nhs_number"],
            contact["mobile_phone"],
            contact["home_phone"],
            contact["email"],
            pa.array(practice.lsoa_codes[np.maximum(pop.lsoa, 0)], mask=~has_lsoa),
            pa.array(pop.imd, mask=pop.imd == 0),
            pc.take(pa.array(ETHNICITIES), pa.array(pop.ethnicity, mask=pop.ethnicity < 0)),
            pa.array(pop.language, pa.string()),
            pa.array(pop.interpreter),
            pa.array(np.full(n, practice.pcn_code)),
        ],
        schema=PATIENTS_SCHEMA,
    )
    return SynthBatch(patients, events.to_table(patient_ids), planted.to_table(patient_ids))


def generate_batches(
    practices: int,
    patients_per_practice: int,
    seed: int,
    as_of: date = DEFAULT_AS_OF,
    params: SynthParams | None = None,
    shapes: Sequence[PracticeShape] | None = None,
) -> Iterator[SynthBatch]:
    """Yield the output block by block: practices in order, each in blocks of BLOCK_SIZE patients.

    `patients_per_practice` counts patient rows, including last year's leavers and deaths (about
    7%); the list on the as-of date is the rest. With `shapes` (see synth/like.py) there is one
    practice per shape, with its code, PCN, list size, age-sex structure, deprivation and register
    prevalence, and `practices` and `patients_per_practice` are not used.
    """
    if not shapes and (practices < 1 or patients_per_practice < 1):
        raise ValueError("practices and patients_per_practice must be at least 1")
    params = params or SynthParams()
    nhs_permutation = np.random.default_rng([seed, 2]).permutation(valid_test_nhs_numbers())
    sizes = [s.rows for s in shapes] if shapes else [patients_per_practice] * practices
    first_rows = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # Age tilts come in mirrored pairs (t, -t), so a run's overall age mix does not hinge on a few
    # unusually old or young practices. A shaped practice has its real age structure instead.
    tilts = [
        0.0
        if shapes
        else np.random.default_rng([seed, 3, p // 2]).normal(0, params.practice_age_tilt_sd) * (-1) ** p
        for p in range(len(sizes))
    ]
    # Register prevalence: the real practice's, or the national spread of the bundled figures.
    targets = [s.prevalence for s in shapes] if shapes else prevalence_targets(tilts)
    for p, rows in enumerate(sizes):
        shape = shapes[p] if shapes else None
        pcn = shape.pcn_code if shape else f"U9{p // params.practices_per_pcn + 1:04d}"
        own = shape_params(shape, params) if shape else params
        practice = make_practice(
            np.random.default_rng([seed, 0, p]),
            p,
            pcn,
            tilts[p],
            own,
            code=shape.code if shape else None,
            imd_rank=shape.imd_rank if shape else None,
            stratified_ages=shape is not None,
        )
        prevalence = targets[p]
        for block, start in enumerate(range(0, rows, BLOCK_SIZE)):
            n = min(BLOCK_SIZE, rows - start)
            rng = np.random.default_rng([seed, 1, p, block])
            first = int(first_rows[p]) + start
            yield _make_batch(rng, practice, start, n, first, nhs_permutation, as_of, own, prevalence)


def generate_with_planted(
    practices: int,
    patients_per_practice: int,
    seed: int,
    as_of: date = DEFAULT_AS_OF,
    params: SynthParams | None = None,
    shapes: Sequence[PracticeShape] | None = None,
) -> SynthBatch:
    """Everything in memory: patients, events and the planted faults (patient_id, fault)."""
    batches = list(generate_batches(practices, patients_per_practice, seed, as_of, params, shapes))
    return SynthBatch(
        pa.concat_tables([b.patients for b in batches]),
        pa.concat_tables([b.events for b in batches]),
        pa.concat_tables([b.planted for b in batches]),
    )


def generate(
    practices: int,
    patients_per_practice: int,
    seed: int,
    as_of: date = DEFAULT_AS_OF,
    params: SynthParams | None = None,
    shapes: Sequence[PracticeShape] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """(patients, events) exactly per the data contract; the same arguments give the same tables."""
    data = generate_with_planted(practices, patients_per_practice, seed, as_of, params, shapes)
    return data.patients, data.events


class _Sink:
    """A CSV or Parquet file written batch by batch, moved into place only when complete."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        self.path, self.tmp = path, path.with_name(path.name + ".partial")
        if fmt == "parquet":
            self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        else:
            options = pacsv.WriteOptions(quoting_style="needed")
            self.writer = pacsv.CSVWriter(self.tmp, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
        os.replace(self.tmp, self.path)


def write_synthetic(
    out_dir: str | Path,
    fmt: str = "csv",
    practices: int = 1,
    patients_per_practice: int = 2_000,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
    params: SynthParams | None = None,
    planted: bool = True,
    progress: Callable[[int], None] | None = None,
    shapes: Sequence[PracticeShape] | None = None,
) -> dict[str, int]:
    """Write patients.<fmt>, events.<fmt> and (unless `planted` is False) planted.csv into `out_dir`.

    Returns the row count of each file. `progress` is called with the patients done per batch.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sinks = {
        "patients": _Sink(out / f"patients.{fmt}", PATIENTS_SCHEMA, fmt),
        "events": _Sink(out / f"events.{fmt}", EVENTS_SCHEMA, fmt),
    }
    if planted:
        sinks["planted"] = _Sink(out / "planted.csv", PLANTED_SCHEMA, "csv")
    counts = dict.fromkeys(sinks, 0)
    for batch in generate_batches(practices, patients_per_practice, seed, as_of, params, shapes):
        for name, sink in sinks.items():
            table = getattr(batch, name)
            sink.write(table)
            counts[name] += table.num_rows
        if progress is not None:
            progress(batch.patients.num_rows)
    for sink in sinks.values():
        sink.close()
    return counts
