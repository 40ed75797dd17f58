"""Background volume: routine observations unrelated to cancer, so tables have a practice's bulk.

A real record holds hundreds of coded entries per patient; the cancer logic must find its few
rows among them. `background_events_per_patient` sets the mean (Poisson per patient).
"""

from __future__ import annotations

import numpy as np

from qof_cancer.synth.events import EventBuilder
from qof_cancer.synth.population import DAYS_PER_YEAR, Population

__all__ = ["write_background"]

# code, share of background rows, mean, sd, unit ([A] adult-ish values; children are not special-cased).
_OBSERVATIONS = (
    ("75367002", 0.10, None, None, None),  # blood pressure: the panel, no value of its own
    ("271649006", 0.20, 132.0, 16.0, "mmHg"),
    ("271650006", 0.20, 80.0, 10.0, "mmHg"),
    ("27113001", 0.16, 76.0, 16.0, "kg"),
    ("50373000", 0.08, 168.0, 10.0, "cm"),
    ("60621009", 0.12, 27.5, 5.0, "kg/m2"),
    ("78564009", 0.14, 74.0, 11.0, "/min"),
)


def write_background(
    rng: np.random.Generator, pop: Population, events: EventBuilder, mean_per_patient: float
) -> None:
    """Poisson(mean) observations per patient over the last 15 years of the record."""
    if mean_per_patient <= 0:
        return
    counts = rng.poisson(mean_per_patient, len(pop))
    patient = np.repeat(np.arange(len(pop), dtype=np.int64), counts)
    total = len(patient)
    end = pop.last_day[patient]
    start = np.maximum(pop.dob[patient], end - int(15 * DAYS_PER_YEAR))
    day = (start + rng.random(total) * (end - start + 1)).astype(np.int32)
    shares = np.array([o[1] for o in _OBSERVATIONS])
    kind = rng.choice(len(_OBSERVATIONS), total, p=shares / shares.sum())
    noise = rng.standard_normal(total)
    for i, (code, _share, mean, sd, unit) in enumerate(_OBSERVATIONS):  # seven codes, not patients
        rows = kind == i
        value = None if mean is None else np.round(mean + sd * noise[rows], 1)
        events.add(patient[rows], code, day[rows], value=value, unit=unit)
