"""Read the four published files into one `Reference`: a record per practice, with provenance.

A newer publication replaces the bundled one without a new release: put files with the same names and
columns (and a `provenance.json` saying what they are) in a folder and point `QOF_CANCER_REFERENCE` at
it, or pass the folder to `load_reference`. A missing file or column stops with the file named.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from qof_cancer.errors import UserError

__all__ = [
    "AGE_BANDS",
    "ATTRIBUTION",
    "REFERENCE_ENV",
    "Reference",
    "ReferencePractice",
    "load_reference",
    "months_old",
]

REFERENCE_ENV = "QOF_CANCER_REFERENCE"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(NHS England Digital; Office for Health Improvement and Disparities)."
)
# The published five-year bands, in age order (the files' own labels).
AGE_BANDS: tuple[str, ...] = (*(f"{a}_{a + 4}" for a in range(0, 95, 5)), "95+")
_COLUMNS = {
    "register": ("practice_code", "can_register", "list_size"),
    "practices": ("practice_code", "practice_name", "pcn_code", "pcn_name", "icb_code", "icb_name"),
    "age_sex": ("practice_code", "sex", "age_band", "patients"),
    "imd": ("practice_code", "imd_2025_score"),
}


@dataclass(frozen=True)
class ReferencePractice:
    """One practice's published figures. Any part may be missing (closed, new or unscored practices)."""

    code: str
    name: str | None = None
    pcn_code: str | None = None
    pcn_name: str | None = None
    icb_code: str | None = None
    icb_name: str | None = None
    register: int | None = None  # QOF 2024-25 cancer register
    list_size: int | None = None  # QOF 2024-25 list size
    imd_score: float | None = None
    female: tuple[int, ...] | None = None  # registered patients per AGE_BANDS band
    male: tuple[int, ...] | None = None

    @property
    def prevalence(self) -> float | None:
        """Register / list size (a fraction), or None without both."""
        if self.register is None or not self.list_size:
            return None
        return self.register / self.list_size

    @property
    def band_totals(self) -> tuple[int, ...] | None:
        """Registered patients per band, both sexes."""
        if self.female is None or self.male is None:
            return None
        return tuple(f + m for f, m in zip(self.female, self.male, strict=True))


@dataclass(frozen=True)
class Reference:
    """All practices' published figures, by ODS code, and where they came from."""

    practices: Mapping[str, ReferencePractice]
    folder: Path
    provenance: Mapping

    def get(self, code: str | None) -> ReferencePractice | None:
        """The practice with this ODS code, or None (synthetic codes, new practices)."""
        return self.practices.get((code or "").strip().upper())

    def with_register(self) -> tuple[ReferencePractice, ...]:
        """Practices with a published register and list size (the funnel plot's points), in code order."""
        return self._with_register

    def pcn_members(self, pcn_code: str | None) -> list[ReferencePractice]:
        """Practices mapped to the PCN, in code order."""
        return sorted((p for p in self.practices.values() if p.pcn_code == pcn_code), key=lambda p: p.code)

    def with_register_in(self, level: str, code: str) -> tuple[ReferencePractice, ...]:
        """The practices with a register mapped to PCN (`level` "pcn") or ICB ("icb") `code`, in code order."""
        return self._groups.get((level, code), ())

    def prevalences(self) -> tuple[float, ...]:
        """Every published prevalence (`with_register`), smallest first."""
        return self._prevalences

    # Worked out once per loaded reference: a run asks for them for each of its practices.
    @cached_property
    def _with_register(self) -> tuple[ReferencePractice, ...]:
        return tuple(p for p in self.practices.values() if p.prevalence is not None)

    @cached_property
    def _groups(self) -> dict[tuple[str, str], tuple[ReferencePractice, ...]]:
        groups: dict[tuple[str, str], list[ReferencePractice]] = {}
        for p in self.with_register():
            for level, code in (("pcn", p.pcn_code), ("icb", p.icb_code)):
                if code is not None:
                    groups.setdefault((level, code), []).append(p)
        return {key: tuple(members) for key, members in groups.items()}

    @cached_property
    def _prevalences(self) -> tuple[float, ...]:
        return tuple(sorted(p.prevalence for p in self.with_register()))


def _read(folder: Path, key: str, provenance: Mapping) -> pa.Table:
    name = provenance["files"][key]["file"]
    path = folder / name
    if not path.is_file():
        raise UserError(f"reference data: {path} is missing (set {REFERENCE_ENV} to a complete folder)")
    columns = _COLUMNS[key]
    types = {c: pa.string() for c in columns if c not in ("can_register", "list_size", "patients")}
    types.update({c: pa.float64() for c in columns if c == "imd_2025_score"})
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    except (pa.ArrowInvalid, OSError) as exc:
        raise UserError(f"reference data: {path}: cannot read it ({exc})") from None
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise UserError(f"reference data: {path}: column {missing[0]!r} is missing")
    return table.select(list(columns))


def _age_sex(table: pa.Table) -> dict[str, dict[str, list[int]]]:
    """Practice -> {"FEMALE": [per band], "MALE": [...]}, vectorised (the file has ~264,000 rows)."""
    band = pc.index_in(table["age_band"], value_set=pa.array(AGE_BANDS))
    sex = pc.index_in(table["sex"], value_set=pa.array(["FEMALE", "MALE"]))
    keep = pc.and_(pc.is_valid(band), pc.is_valid(sex))
    rows = table.filter(keep)
    encoded = pc.dictionary_encode(rows["practice_code"]).combine_chunks()
    codes, practice = encoded.dictionary.to_pylist(), encoded.indices.to_numpy()
    cells = np.zeros((len(codes), 2, len(AGE_BANDS)), np.int64)
    np.add.at(
        cells,
        (practice, sex.filter(keep).to_numpy(), band.filter(keep).to_numpy()),
        rows["patients"].fill_null(0).to_numpy(),
    )
    return {
        code: {"FEMALE": cells[i, 0].tolist(), "MALE": cells[i, 1].tolist()} for i, code in enumerate(codes)
    }


def _provenance(folder: Path) -> dict:
    path = folder / "provenance.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"reference data: {path}: cannot read it ({exc})") from None


@cache
def _load(folder: Path, _stamp: tuple) -> Reference:
    provenance = _provenance(folder)
    register = _read(folder, "register", provenance).to_pylist()
    mapping = _read(folder, "practices", provenance).to_pylist()
    imd = {r["practice_code"]: r["imd_2025_score"] for r in _read(folder, "imd", provenance).to_pylist()}
    bands = _age_sex(_read(folder, "age_sex", provenance))
    by_code: dict[str, dict] = {r["practice_code"]: {k: v for k, v in r.items()} for r in mapping}
    for row in register:
        entry = by_code.setdefault(row["practice_code"], {"practice_code": row["practice_code"]})
        entry["register"], entry["list_size"] = row["can_register"], row["list_size"]
    practices = {}
    for code in sorted(set(by_code) | set(imd) | set(bands)):
        row = by_code.get(code, {})
        sexes = bands.get(code)
        practices[code] = ReferencePractice(
            code=code,
            name=row.get("practice_name"),
            pcn_code=row.get("pcn_code"),
            pcn_name=row.get("pcn_name"),
            icb_code=row.get("icb_code"),
            icb_name=row.get("icb_name"),
            register=row.get("register"),
            list_size=row.get("list_size"),
            imd_score=imd.get(code),
            female=tuple(sexes["FEMALE"]) if sexes else None,
            male=tuple(sexes["MALE"]) if sexes else None,
        )
    return Reference(MappingProxyType(practices), folder, MappingProxyType(provenance))


def load_reference(folder: str | Path | None = None) -> Reference:
    """The published practice figures: from `folder`, else `$QOF_CANCER_REFERENCE`, else the bundled ones.

    Loaded once per folder and kept (about a second the first time); read again when a file changes.
    """
    chosen = folder or os.environ.get(REFERENCE_ENV)
    path = Path(chosen) if chosen else Path(str(files("qof_cancer.reference") / "data"))
    path = path.resolve()
    if not path.is_dir():
        raise UserError(f"reference data: {path} is not a folder")
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(path.iterdir()))
    return _load(path, stamp)


def months_old(as_of: str | None, today: date) -> int | None:
    """Calendar months from a file's `as_of` (provenance.json, YYYY-MM...) to `today`: negative when it
    is dated ahead, None when the file gives no date."""
    if not as_of:
        return None
    return (today.year - int(as_of[:4])) * 12 + today.month - int(as_of[5:7])
