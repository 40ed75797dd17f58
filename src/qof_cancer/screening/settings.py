"""Screening settings as data: programmes (ages by date, windows, clusters, standards), groups, suppression.

The bundled `screening/data/settings.yaml` holds the defaults; a practice file given with `--settings`
is merged over it programme by programme, key by key. Every value is checked on load and a bad one is
reported with the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from qof_cancer.errors import UserError
from qof_cancer.rules import load_yaml

__all__ = [
    "AgeRange",
    "Programme",
    "ScreeningSettings",
    "load_settings",
    "BUNDLED_SETTINGS",
    "PROGRAMME_IDS",
]

BUNDLED_SETTINGS = Path(__file__).parent / "data" / "settings.yaml"
PROGRAMME_IDS = ("cervical_25_49", "cervical_50_64", "bowel", "breast")
_SEXES = {"F", "M", "I", "U"}
_CLUSTER_KEYS = ("covered", "exclude", "declined", "unsuitable", "non_response", "contact")


@dataclass(frozen=True)
class AgeRange:
    """Ages `min`-`max` inclusive (whole years on the reference date), in force from `start`."""

    start: date
    min: int
    max: int


@dataclass(frozen=True)
class Programme:
    id: str
    label: str
    sexes: tuple[str, ...]
    ages: tuple[AgeRange, ...]  # sorted by start
    window_months: int
    recall_months: int
    covered: tuple[str, ...]
    exclude: tuple[str, ...]
    declined: tuple[str, ...]
    unsuitable: tuple[str, ...]
    non_response: tuple[str, ...]
    contact: tuple[str, ...]
    standard_pct: float | None
    achievable_pct: float | None
    standard_source: str

    def ages_on(self, day: date) -> AgeRange:
        """The age range in force on `day` (the earliest range before the first `from` date)."""
        current = self.ages[0]
        for age_range in self.ages:
            if age_range.start <= day:
                current = age_range
        return current

    def clusters(self) -> tuple[str, ...]:
        return tuple(c for key in _CLUSTER_KEYS for c in getattr(self, key))


@dataclass(frozen=True)
class ScreeningSettings:
    programmes: tuple[Programme, ...]
    age_band_years: int
    learning_disability: str
    severe_mental_illness: str
    pending_sample: str
    pending_result: str
    pending_after_days: int
    pending_lookback_months: int
    confidence_z: float
    flag_min_eligible: int
    max_suppressed: int
    round_to: int
    source: str

    def programme(self, programme_id: str) -> Programme:
        return next(p for p in self.programmes if p.id == programme_id)

    def clusters(self) -> tuple[str, ...]:
        """Every cluster the screening run reads."""
        ids = [c for p in self.programmes for c in p.clusters()]
        ids += [
            self.learning_disability,
            self.severe_mental_illness,
            self.pending_sample,
            self.pending_result,
        ]
        return tuple(dict.fromkeys(ids))


def _read(path: Path) -> dict:
    data = load_yaml(path, "--settings") or {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping with 'programmes', 'groups', ...")
    return data


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str, problem: str) -> UserError:
        return UserError(f"{self.source}: {field}: {problem}")

    def int(self, value: Any, field: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(field, f"expected a whole number of at least {low}, got {value!r}")
        return value

    def pct(self, value: Any, field: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise self.fail(field, f"expected a percentage 0-100 or null, got {value!r}")
        return float(value)

    def names(self, value: Any, field: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(field, f"expected a list of cluster ids, got {value!r}")
        return tuple(value)

    def programme(self, pid: str, raw: Any) -> Programme:
        where = f"programmes.{pid}"
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a mapping")
        missing = [k for k in ("sexes", "ages", "window_months", "recall_months", "covered") if k not in raw]
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        sexes = raw["sexes"]
        if not isinstance(sexes, list) or not sexes or not set(sexes) <= _SEXES:
            raise self.fail(f"{where}.sexes", f"expected a list of F, M, I, U, got {sexes!r}")
        ages = []
        if not isinstance(raw["ages"], list) or not raw["ages"]:
            raise self.fail(f"{where}.ages", "expected a list of {from, min, max}")
        for i, item in enumerate(raw["ages"]):
            field = f"{where}.ages[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("from"), date):
                raise self.fail(field, f"expected {{from: YYYY-MM-DD, min: N, max: N}}, got {item!r}")
            low, high = self.int(item.get("min"), f"{field}.min"), self.int(item.get("max"), f"{field}.max")
            if high < low:
                raise self.fail(field, f"max {high} is below min {low}")
            ages.append(AgeRange(item["from"], low, high))
        return Programme(
            id=pid,
            label=str(raw.get("label", pid)),
            sexes=tuple(sexes),
            ages=tuple(sorted(ages, key=lambda a: a.start)),
            window_months=self.int(raw["window_months"], f"{where}.window_months", 1),
            recall_months=self.int(raw["recall_months"], f"{where}.recall_months", 1),
            **{k: self.names(raw.get(k, []), f"{where}.{k}") for k in _CLUSTER_KEYS},
            standard_pct=self.pct(raw.get("standard_pct"), f"{where}.standard_pct"),
            achievable_pct=self.pct(raw.get("achievable_pct"), f"{where}.achievable_pct"),
            standard_source=str(raw.get("standard_source", "")),
        )


def load_settings(path: str | Path | None = None) -> ScreeningSettings:
    """The bundled settings, with a practice's settings file (if any) merged over them."""
    data = _read(BUNDLED_SETTINGS)
    source = "bundled settings"
    if path is not None:
        data = _merge(data, _read(Path(path)))
        source = str(path)
    check = _Checker(source)
    programmes = data.get("programmes") or {}
    unknown = sorted(set(programmes) - set(PROGRAMME_IDS))
    if unknown:
        raise check.fail(
            "programmes", f"unknown programme {unknown[0]!r} (known: {', '.join(PROGRAMME_IDS)})"
        )
    groups, pending, supp = (
        data.get("groups", {}),
        data.get("results_pending", {}),
        data.get("suppression", {}),
    )
    z = data.get("confidence_z")
    if isinstance(z, bool) or not isinstance(z, int | float) or not 0 < z < 10:
        raise check.fail("confidence_z", f"expected a number such as 1.96, got {z!r}")
    return ScreeningSettings(
        programmes=tuple(check.programme(pid, programmes[pid]) for pid in PROGRAMME_IDS),
        age_band_years=check.int(groups.get("age_band_years"), "groups.age_band_years", 1),
        learning_disability=str(groups.get("learning_disability", "LD_COD")),
        severe_mental_illness=str(groups.get("severe_mental_illness", "MH_COD")),
        pending_sample=str(pending.get("sample", "CSSAMPLE_COD")),
        pending_result=str(pending.get("result", "CSRESULT_COD")),
        pending_after_days=check.int(pending.get("after_days"), "results_pending.after_days", 1),
        pending_lookback_months=check.int(
            pending.get("lookback_months"), "results_pending.lookback_months", 1
        ),
        confidence_z=float(z),
        flag_min_eligible=check.int(data.get("flag_min_eligible", 10), "flag_min_eligible"),
        max_suppressed=check.int(supp.get("max_suppressed"), "suppression.max_suppressed"),
        round_to=check.int(supp.get("round_to"), "suppression.round_to", 1),
        source=source,
    )
