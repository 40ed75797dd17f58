"""The generator's national calibration, from the bundled published practice figures.

Plain `synth` (no `--like`) gives each practice a register prevalence drawn from England's practices:
the published QOF cancer register over list size of every practice in the reference data (about 6,200
practices; p10 1.8%, median 3.8%, p90 5.8% in the 2024-25 bundle), worked out when the generator runs,
so a newer publication (`QOF_CANCER_REFERENCE`) moves the synthetic practices with it. The practices of
a run take evenly spaced quantiles of that spread, the oldest list the highest (a practice's age tilt
is what makes its register large or small), so four practices span about p12 to p88 and one practice
sits at the median. The generator then fits each practice's incidence to its prevalence
(`generate._calibrated`), as it does for `--like`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qof_cancer.reference import Reference, load_reference

__all__ = ["national_prevalences", "prevalence_targets"]


def national_prevalences(ref: Reference | None = None) -> np.ndarray:
    """Every practice's published register prevalence (register / list size), sorted."""
    ref = ref or load_reference()
    values = np.sort([p.prevalence for p in ref.with_register()])
    if not len(values):
        raise ValueError(f"reference data in {ref.folder}: no practice has a register and a list size")
    return values


def prevalence_targets(age_tilts: Sequence[float], ref: Reference | None = None) -> list[float]:
    """One register prevalence per practice: the national quantile at the practice's rank by age tilt
    (evenly spaced: rank r of n takes the quantile (r + 0.5) / n)."""
    values = national_prevalences(ref)
    ranks = np.argsort(np.argsort(np.asarray(age_tilts, dtype=float), kind="stable"), kind="stable")
    quantiles = (ranks + 0.5) / max(len(age_tilts), 1)
    return [float(v) for v in np.quantile(values, quantiles)]
