"""The code lists the generator writes, read from `synth/data/` (provenance in its README)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

__all__ = ["DATA_DIR", "CancerSites", "load_code_group", "load_screening_list", "load_cancer_sites"]

DATA_DIR = Path(__file__).parent / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def _code_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for row in _rows(DATA_DIR / "codes.csv"):
        groups.setdefault(row["group"], []).append(row["code"])
    return {name: tuple(codes) for name, codes in groups.items()}


def load_code_group(group: str) -> tuple[str, ...]:
    """Codes of one group in `codes.csv` (history_of, morphology, nmsc, learning_disability, ...)."""
    groups = _code_groups()
    if group not in groups:
        raise KeyError(f"synth/data/codes.csv has no group {group!r}")
    return groups[group]


@cache
def load_screening_list(name: str) -> dict[str, str]:
    """code -> term of `synth/data/screening/<name>.csv`, in file order."""
    return {row["code"]: row["term"] for row in _rows(DATA_DIR / "screening" / f"{name}.csv")}


@dataclass(frozen=True)
class CancerSites:
    """One CAN_COD code per tumour site and the probability of each site by sex."""

    codes: tuple[str, ...]
    p_female: np.ndarray
    p_male: np.ndarray


@cache
def load_cancer_sites() -> CancerSites:
    rows = _rows(DATA_DIR / "cancer_sites.csv")
    female = np.array([float(r["weight_female"]) for r in rows])
    male = np.array([float(r["weight_male"]) for r in rows])
    return CancerSites(tuple(r["code"] for r in rows), female / female.sum(), male / male.sum())
