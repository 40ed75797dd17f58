"""Realistic synthetic practices: patients and coded events per the data contract.

Calibrated to published figures (each practice's register prevalence drawn from the spread of
England's practices in the bundled reference data, ~9 new cancer diagnoses per 2,000 patients a year), with practice-to-practice variation in how reviews and support are recorded,
screening records and contact data, and a known set of planted data-quality faults.
Every parameter and its source: `docs/synthetic-data.md`.
"""

from qof_cancer.synth.generate import (
    DEFAULT_AS_OF,
    SynthBatch,
    generate,
    generate_batches,
    generate_with_planted,
    write_synthetic,
)
from qof_cancer.synth.params import SynthParams

__all__ = [
    "DEFAULT_AS_OF",
    "SynthBatch",
    "SynthParams",
    "generate",
    "generate_batches",
    "generate_with_planted",
    "write_synthetic",
]
