"""The expected register: a Poisson log-linear model of the published registers on age, sex and deprivation.

Indirect standardisation would need national age-specific cancer prevalence, which is not published
per practice band. So the model learns it from all practices at once:

    log E[register] = log(list size) + b0 + Σ_g b_g · share_g + c1 · imd + c2 · imd²

where share_g is the practice's share of patients in 12 sex × age groups (0-44, 45-54, 55-64, 65-74,
75-84, 85+; men 0-44 is the baseline) and imd its standardised IMD 2025 score. It is fitted by
iteratively reweighted least squares in numpy. The interval around a practice's expected register
comes from the spread of the fitted practices' Pearson residuals (the 2.5th and 97.5th percentiles),
so it is as wide as real practices scatter, not as narrow as Poisson noise alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qof_cancer.reference import AGE_BANDS, Reference, load_reference

__all__ = [
    "AGE_GROUPS",
    "ExpectedModel",
    "Fit",
    "design_row",
    "fit_model",
    "expected_model",
    "cross_validate",
]

AGE_GROUPS: tuple[str, ...] = ("0-44", "45-54", "55-64", "65-74", "75-84", "85+")
# Band index (0-4, 5-9, ... 95+) -> age group index.
_GROUP_OF_BAND = np.array([0] * 9 + [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5])
assert len(_GROUP_OF_BAND) == len(AGE_BANDS)


@dataclass(frozen=True)
class Fit:
    """How well the model predicts registers it was not fitted on (5-fold cross-validation)."""

    practices: int
    r2_register: float  # on register counts
    r2_prevalence: float  # on prevalence (register / list size)
    median_abs_error: float  # patients
    median_abs_error_pp: float  # percentage points of prevalence
    baseline_median_abs_error: float  # patients, predicting England's prevalence × list size
    interval_coverage: float  # share of practices inside their 95% interval


@dataclass(frozen=True)
class ExpectedModel:
    """Fitted coefficients, the deprivation scaling and the residual spread for intervals."""

    beta: np.ndarray
    imd_mean: float
    imd_sd: float
    imd_median: float
    residual_q: tuple[float, float]  # 2.5th and 97.5th percentile of Pearson residuals

    def expected(
        self, female: Sequence[int], male: Sequence[int], imd_score: float | None, list_size: int
    ) -> tuple[float, float, float]:
        """(expected register, low, high) for a list of `list_size` with this age-sex profile."""
        imd = self.imd_median if imd_score is None else imd_score
        x = design_row(female, male, (imd - self.imd_mean) / self.imd_sd)
        mu = float(list_size * np.exp(x @ self.beta))
        low, high = (max(0.0, mu + q * np.sqrt(mu)) for q in self.residual_q)
        return mu, low, high


def _design(female: np.ndarray, male: np.ndarray, imd_z: np.ndarray) -> np.ndarray:
    """Rows of [1, 11 sex-age group shares (men 0-44 left out), imd, imd²] from per-band counts."""
    groups = np.eye(len(AGE_GROUPS))[_GROUP_OF_BAND]  # band -> group indicator, 20 x 6
    f, m = np.atleast_2d(female) @ groups, np.atleast_2d(male) @ groups
    total = f.sum(axis=1) + m.sum(axis=1)
    shares = np.hstack([f, m[:, 1:]]) / np.where(total > 0, total, 1)[:, None]
    z = np.atleast_1d(imd_z)
    return np.column_stack([np.ones(len(z)), shares, z, z * z])


def design_row(female: Sequence[int], male: Sequence[int], imd_z: float) -> np.ndarray:
    """[1, 11 sex-age group shares (men 0-44 left out), imd, imd²] for one practice."""
    return _design(np.asarray(female, float), np.asarray(male, float), np.asarray([imd_z]))[0]


def _irls(x: np.ndarray, y: np.ndarray, offset: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Poisson regression with a log link and an offset, by iteratively reweighted least squares."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(y.sum() / np.exp(offset).sum())
    for _ in range(iterations):
        eta = offset + x @ beta
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        xw = x * mu[:, None]
        # The weighted normal equations: a 14 x 14 solve (an SVD of the 6,000-row matrix is far slower).
        new = np.linalg.solve(x.T @ xw, xw.T @ z)
        if np.max(np.abs(new - beta)) < 1e-10:
            return new
        beta = new
    return beta


def _training(ref: Reference) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # band_totals is worked out on each reading: once per practice here.
    rows = [
        p for p in ref.with_register() if (bands := p.band_totals) and sum(bands) and p.imd_score is not None
    ]
    imd = np.array([p.imd_score for p in rows])
    z = (imd - imd.mean()) / imd.std()
    x = _design(np.array([p.female for p in rows], float), np.array([p.male for p in rows], float), z)
    y = np.array([p.register for p in rows], float)
    n = np.array([p.list_size for p in rows], float)
    return x, y, n, imd, z


def fit_model(ref: Reference) -> ExpectedModel:
    """Fit on every practice with a register, an age-sex profile and an IMD score."""
    x, y, n, imd, _ = _training(ref)
    beta = _irls(x, y, np.log(n))
    mu = n * np.exp(x @ beta)
    pearson = (y - mu) / np.sqrt(mu)
    q = np.percentile(pearson, [2.5, 97.5])
    return ExpectedModel(beta, float(imd.mean()), float(imd.std()), float(np.median(imd)), (q[0], q[1]))


def cross_validate(ref: Reference, folds: int = 5, seed: int = 0) -> Fit:
    """R² and median absolute error of out-of-fold predictions (each practice predicted unseen)."""
    x, y, n, _, _ = _training(ref)
    fold = np.random.default_rng(seed).integers(0, folds, len(y))
    mu, inside = np.empty_like(y), np.zeros(len(y), bool)
    for k in range(folds):
        train = fold != k
        beta = _irls(x[train], y[train], np.log(n[train]))
        fitted = n[train] * np.exp(x[train] @ beta)
        low_q, high_q = np.percentile((y[train] - fitted) / np.sqrt(fitted), [2.5, 97.5])
        mu[~train] = n[~train] * np.exp(x[~train] @ beta)
        spread = np.sqrt(mu[~train])
        inside[~train] = (y[~train] >= mu[~train] + low_q * spread) & (
            y[~train] <= mu[~train] + high_q * spread
        )

    def r2(obs: np.ndarray, pred: np.ndarray) -> float:
        return float(1 - ((obs - pred) ** 2).sum() / ((obs - obs.mean()) ** 2).sum())

    return Fit(
        practices=len(y),
        r2_register=r2(y, mu),
        r2_prevalence=r2(y / n, mu / n),
        median_abs_error=float(np.median(np.abs(y - mu))),
        median_abs_error_pp=float(np.median(np.abs(y - mu) / n) * 100),
        baseline_median_abs_error=float(np.median(np.abs(y - n * y.sum() / n.sum()))),
        interval_coverage=float(inside.mean()),
    )


_FITTED: dict[int, tuple[Reference, ExpectedModel]] = {}


def expected_model(ref: Reference | None = None) -> ExpectedModel:
    """The model fitted on `ref` (default the bundled data), fitted once per loaded reference and kept."""
    ref = ref or load_reference()
    if id(ref) not in _FITTED:  # the reference is kept with its model, so its id is not reused
        _FITTED[id(ref)] = (ref, fit_model(ref))
    return _FITTED[id(ref)][1]
