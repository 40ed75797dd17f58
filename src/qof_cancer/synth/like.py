"""Synthetic practices shaped like real ones: list size, age-sex structure, deprivation and register
prevalence drawn from named practices' published figures (the bundled reference data).

`shapes_like(["A81001", ...])` keeps each practice's ODS and PCN codes, so benchmarks find it;
`pcn_shapes(pcn)` copies a real PCN's practices under synthetic codes (Y9xxxx, PCN U9xxxx), so nothing
looks like a real practice's patients. The generator then fits each practice's incidence so that its
register lands on the published prevalence (see `generate._calibrated`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qof_cancer.reference import Reference, ReferencePractice, load_reference
from qof_cancer.synth.params import AGE_BANDS, SynthParams

__all__ = ["DEMO_PCN", "PracticeShape", "demo_shapes", "shapes_like", "pcn_shapes", "shape_params"]

# The demo PCN's shape: STOCKTON PCN (North East), six practices, median-ish prevalence and deprivation.
DEMO_PCN = "U89141"


@dataclass(frozen=True)
class PracticeShape:
    """What a synthetic practice copies from a real one."""

    code: str
    pcn_code: str
    list_size: int  # QOF 2024-25 list size
    prevalence: float  # QOF 2024-25 register / list size
    band_patients: tuple[tuple[int, int], ...]  # (female, male) per generator band 0-4 ... 90+
    imd_rank: float | None  # 0 least to 1 most deprived among England's practices
    like: str  # the real practice's ODS code

    @property
    def rows(self) -> int:
        """Patient rows to generate so that the list (rows less leavers and deaths) is `list_size`."""
        p = SynthParams()
        return round(self.list_size / (1 - p.deaths_per_year - p.leavers_per_year))


def _imd_ranks(ref: Reference) -> list[float]:
    return sorted(p.imd_score for p in ref.practices.values() if p.imd_score is not None)


def _shape(p: ReferencePractice, code: str, pcn: str, scores: list[float]) -> PracticeShape:
    if p.prevalence is None or p.female is None or p.male is None or not sum(p.band_totals or ()):
        raise ValueError(f"{p.code}: no published register, list size or age-sex profile to copy")
    if sum(p.band_totals) < 0.5 * p.list_size:  # e.g. closed since 2024-25: a handful of patients left
        raise ValueError(f"{p.code}: its July 2026 age-sex profile ({sum(p.band_totals):,} patients) does not "
                         f"describe its 2024-25 list of {p.list_size:,}")  # fmt: skip
    bands = len(AGE_BANDS)  # the generator's last band is 90+: the published 90-94 and 95+ together
    female = (*p.female[: bands - 1], sum(p.female[bands - 1 :]))
    male = (*p.male[: bands - 1], sum(p.male[bands - 1 :]))
    rank = None if p.imd_score is None else bisect_left(scores, p.imd_score) / max(len(scores) - 1, 1)
    return PracticeShape(
        code, pcn, p.list_size, p.prevalence, tuple(zip(female, male, strict=True)), rank, p.code
    )


def shapes_like(codes: Sequence[str], ref: Reference | None = None) -> list[PracticeShape]:
    """One shape per ODS code, keeping the real practice and PCN codes. An unknown code is a ValueError."""
    ref = ref or load_reference()
    scores = _imd_ranks(ref)
    out = []
    for code in codes:
        p = ref.get(code)
        if p is None:
            raise ValueError(f"{code!r} is not in the bundled practice data (qof-cancer reference show)")
        out.append(_shape(p, p.code, p.pcn_code or "U90001", scores))
    return out


def pcn_shapes(
    pcn_code: str = DEMO_PCN, ref: Reference | None = None, limit: int | None = None
) -> list[PracticeShape]:
    """A real PCN's practices' shapes under synthetic codes Y90001... in PCN U90001."""
    ref = ref or load_reference()
    scores = _imd_ranks(ref)
    members = [p for p in ref.pcn_members(pcn_code) if p.prevalence is not None and p.band_totals]
    if not members:
        raise ValueError(f"PCN {pcn_code!r}: no practices with published figures")
    members = members[:limit] if limit else members
    return [_shape(p, f"Y9{i + 1:04d}", "U90001", scores) for i, p in enumerate(members)]


def shape_params(shape: PracticeShape, params: SynthParams) -> SynthParams:
    """The generator's parameters for one practice: its own age-band weights and female share per band."""
    totals = [f + m for f, m in shape.band_patients]
    whole = sum(totals)
    return replace(
        params,
        age_band_weights=tuple(100 * t / whole for t in totals),
        female_share_by_band=tuple(
            f / t if t else 0.5 for (f, _), t in zip(shape.band_patients, totals, strict=True)
        ),
    )


def demo_shapes(practices: int, patients_per_practice: int, pcn_code: str = DEMO_PCN) -> list[PracticeShape]:
    """The demo PCN: `practices` practices shaped like the real PCN's (cycling through them if more are
    asked for), under synthetic codes, with lists scaled so that they average `patients_per_practice`
    patient rows while keeping their relative sizes, age-sex structure, deprivation and prevalence."""
    real = pcn_shapes(pcn_code)
    chosen = [real[i % len(real)] for i in range(practices)]
    scale = patients_per_practice * practices / sum(s.rows for s in chosen)
    return [
        replace(s, code=f"Y9{i + 1:04d}", list_size=max(1, round(s.list_size * scale)))
        for i, s in enumerate(chosen)
    ]
