"""Practices and their patients: age and sex, registrations, leavers, deaths and demographics.

A batch holds three kinds of patient, as a practice extract does: registered and alive on the
as-of date (the list), deregistered during the last year (with `registration_end`) and died during
the last year (with `date_of_death`). Dates are int32 days since 1970-01-01 throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qof_cancer.synth.params import AGE_BANDS, SynthParams

__all__ = [
    "NO_DATE",
    "DAYS_PER_YEAR",
    "ETHNICITIES",
    "REGISTERED",
    "LEFT",
    "DIED",
    "Practice",
    "Population",
    "make_practice",
    "make_population",
]

NO_DATE = np.iinfo(np.int32).min  # stands for an empty date until the table is built
DAYS_PER_YEAR = 365.25
REGISTERED, LEFT, DIED = 0, 1, 2
ETHNICITIES = (
    "White",
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "Other ethnic group",
)
# Main languages other than English, by ethnic group. [A] the commonest in Census 2021 for each group.
_LANGUAGES = (
    ("Polish", "Romanian", "Lithuanian", "Portuguese", "Spanish", "Italian"),
    ("Bengali", "Urdu", "Panjabi", "Gujarati", "Tamil", "Chinese"),
    ("Somali", "French", "Arabic", "Portuguese", "Tigrinya", "Yoruba"),
    ("Spanish", "Portuguese", "French", "Arabic", "Polish", "Romanian"),
    ("Arabic", "Turkish", "Persian/Farsi", "Kurdish", "Spanish", "Pashto"),
)
_MAX_AGE = 105


@dataclass(frozen=True)
class Practice:
    """One practice: its codes, its catchment and how it works (rates differ between practices)."""

    code: str
    pcn_code: str
    age_tilt: float
    minority_shift: float
    lsoa_codes: np.ndarray
    lsoa_quintiles: np.ndarray
    ccr_rate: float
    support_rate: float
    records_episodicity: bool
    stratified_ages: bool = False  # ages drawn by stratified sampling: band shares close to the weights


def make_practice(
    rng: np.random.Generator,
    index: int,
    pcn_code: str,
    age_tilt: float,
    params: SynthParams,
    code: str | None = None,
    imd_rank: float | None = None,
    stratified_ages: bool = False,
) -> Practice:
    """A practice: code `Y9xxxx` (fictional ODS-style) unless `code` is given, its LSOAs and its
    behaviour rates. `imd_rank` (0 least, 1 most deprived) centres its catchment's IMD quintiles."""
    centre = rng.uniform(0.5, 5.5)
    if imd_rank is not None:  # quintile 1 is the most deprived
        centre = 5.5 - 5 * imd_rank
    n_lsoa = params.lsoas_per_practice
    # 2011 LSOA codes run E01000001-E01033768; a practice draws a catchment of them.
    numbers = rng.choice(np.arange(1, 33769), size=n_lsoa, replace=False)
    return Practice(
        code=code or f"Y9{index + 1:04d}",
        pcn_code=pcn_code,
        age_tilt=age_tilt,
        minority_shift=float(rng.normal(0, params.practice_diversity_sd)),
        lsoa_codes=np.array([f"E01{n:06d}" for n in numbers]),
        lsoa_quintiles=np.clip(np.rint(centre + rng.normal(0, 0.9, n_lsoa)), 1, 5).astype(np.int8),
        ccr_rate=float(rng.uniform(*params.ccr_in_window_range)),
        support_rate=float(rng.uniform(*params.support_in_window_range)),
        records_episodicity=bool(rng.random() < params.episodicity_practice_share),
        stratified_ages=stratified_ages,
    )


@dataclass
class Population:
    """One batch of patients as parallel numpy arrays (index = patient within the batch)."""

    as_of: int
    status: np.ndarray  # REGISTERED, LEFT or DIED
    dob: np.ndarray
    sex: np.ndarray  # "F", "M", "I", "U"
    reg_start: np.ndarray
    reg_end: np.ndarray  # NO_DATE while registered
    death: np.ndarray  # NO_DATE when alive
    ethnicity: np.ndarray  # index into ETHNICITIES, -1 not recorded
    language: np.ndarray  # main language
    interpreter: np.ndarray
    lsoa: np.ndarray  # index into the practice's LSOAs, -1 unknown
    imd: np.ndarray  # 1 (most deprived) - 5, 0 unknown
    learning_disability: np.ndarray
    smi: np.ndarray

    def __len__(self) -> int:
        return len(self.dob)

    @property
    def last_day(self) -> np.ndarray:
        """The last day the practice's record can hold: as-of, leaving or death."""
        end = np.full(len(self), self.as_of, np.int32)
        end = np.where(self.reg_end != NO_DATE, np.minimum(end, self.reg_end), end)
        return np.where(self.death != NO_DATE, np.minimum(end, self.death), end)

    def age_on(self, day: int | np.ndarray) -> np.ndarray:
        """Age in (fractional) years on `day`."""
        return (day - self.dob) / DAYS_PER_YEAR


def _single_year_weights(params: SynthParams, tilt: float) -> np.ndarray:
    """Weight of each single year of age 0.._MAX_AGE-1 from the 5-year bands, tilted by practice."""
    ages = np.arange(_MAX_AGE)
    band = np.minimum(ages // 5, len(AGE_BANDS) - 1)
    weights = np.asarray(params.age_band_weights)[band] / 5.0
    old = ages >= AGE_BANDS[-1]
    weights[old] = params.age_band_weights[-1] * np.exp(-(ages[old] - AGE_BANDS[-1]) / 4.0) / 4.0
    weights = weights * np.exp(tilt * (np.minimum(ages, 90) - 40) / 40)  # older or younger lists
    return weights / weights.sum()


def _draw_sex(rng: np.random.Generator, age: np.ndarray, params: SynthParams) -> np.ndarray:
    band = np.minimum((age // 5).astype(int), len(AGE_BANDS) - 1)
    sex = np.where(rng.random(len(age)) < np.asarray(params.female_share_by_band)[band], "F", "M")
    odd = rng.random(len(age))
    sex[odd < params.sex_indeterminate_share] = "I"
    sex[
        (odd >= params.sex_indeterminate_share)
        & (odd < params.sex_indeterminate_share + params.sex_unknown_share)
    ] = "U"
    return sex.astype("<U1")


def make_population(
    rng: np.random.Generator, n: int, practice: Practice, as_of: int, params: SynthParams
) -> Population:
    """`n` patient rows for `practice`: the list on `as_of`, plus last year's leavers and deaths."""
    u = rng.random(n)
    status = np.where(
        u < params.deaths_per_year,
        DIED,
        np.where(u < params.deaths_per_year + params.leavers_per_year, LEFT, REGISTERED),
    ).astype(np.int8)
    base = _single_year_weights(params, practice.age_tilt)
    a, b = params.mortality_gompertz
    death_weights = base * np.exp(a + b * np.arange(_MAX_AGE))
    leaver_weights = base * np.where((np.arange(_MAX_AGE) >= 18) & (np.arange(_MAX_AGE) < 40), 2.0, 1.0)
    if practice.stratified_ages:
        # One draw in each 1/n slice of the distribution, shuffled: a practice shaped like a real one
        # then has its real band shares, less the noise of which rows are the list.
        u = (np.arange(n) + rng.random(n)) / n
        rng.shuffle(u)
        age = np.minimum(np.searchsorted(np.cumsum(base), u), _MAX_AGE - 1).astype(np.float64)
    else:
        age = rng.choice(_MAX_AGE, size=n, p=base).astype(np.float64)
    died, left = status == DIED, status == LEFT
    age[died] = rng.choice(_MAX_AGE, size=int(died.sum()), p=death_weights / death_weights.sum())
    age[left] = rng.choice(_MAX_AGE, size=int(left.sum()), p=leaver_weights / leaver_weights.sum())
    age += rng.random(n)

    # The end of each record: as-of for the list, a day in the last year for leavers and deaths.
    end = np.full(n, as_of, np.int32)
    end[~(status == REGISTERED)] = as_of - rng.integers(0, 365, int((status != REGISTERED).sum()))
    dob = (end - np.rint(age * DAYS_PER_YEAR)).astype(np.int32)
    death = np.where(died, end, NO_DATE).astype(np.int32)
    # Deducted a few days after death; never after the as-of date.
    reg_end = np.where(died, np.minimum(end + rng.integers(0, 15, n), as_of), np.where(left, end, NO_DATE))
    reg_end = reg_end.astype(np.int32)
    # Time since joining: exponential with the turnover rate; babies join within weeks of birth.
    since = rng.exponential(DAYS_PER_YEAR / params.new_registrations_per_year, n)
    reg_start = np.rint(end - since).astype(np.int32)
    baby_join = dob + rng.integers(7, 43, n)
    reg_start = np.minimum(np.maximum(reg_start, baby_join), end).astype(np.int32)

    sex = _draw_sex(rng, age, params)
    shares = np.asarray(params.ethnicity_shares)
    odds = shares / shares[0]
    odds[1:] *= np.exp(practice.minority_shift)  # practices differ a lot in their minority share
    ethnicity = rng.choice(len(ETHNICITIES), size=n, p=odds / odds.sum()).astype(np.int8)
    ethnicity[rng.random(n) < params.ethnicity_not_recorded_share] = -1
    non_english_p = np.where(
        ethnicity <= 0, params.non_english_share_white, params.non_english_share_minority
    )
    non_english = (rng.random(n) < non_english_p) & (age >= 3)
    language = np.full(n, "English", dtype=object)
    pick = rng.integers(0, 6, n)
    for group, names in enumerate(_LANGUAGES):  # five groups, not a per-patient loop
        rows = non_english & (np.maximum(ethnicity, 0) == group)
        language[rows] = np.asarray(names, dtype=object)[pick[rows]]
    interpreter = non_english & (rng.random(n) < params.interpreter_share)

    lsoa = rng.integers(0, len(practice.lsoa_codes), n).astype(np.int32)
    lsoa[rng.random(n) < params.lsoa_missing_share] = -1
    imd = np.where(lsoa >= 0, practice.lsoa_quintiles[np.maximum(lsoa, 0)], 0).astype(np.int8)
    # LD and SMI are likelier in deprived areas [S]; [A] a 1.5x step from least to most deprived.
    deprivation = np.where(imd > 0, (5 - imd) / 4, 0.5)
    ld = rng.random(n) < params.learning_disability_share * (0.7 + 0.6 * deprivation)
    smi = (rng.random(n) < params.smi_share * (0.7 + 0.6 * deprivation) * 1.25) & (age >= 18)
    return Population(
        as_of=as_of,
        status=status,
        dob=dob,
        sex=sex,
        reg_start=reg_start,
        reg_end=reg_end,
        death=death,
        ethnicity=ethnicity,
        language=language,
        interpreter=interpreter,
        lsoa=lsoa,
        imd=imd,
        learning_disability=ld,
        smi=smi,
    )
