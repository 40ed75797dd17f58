"""Cervical, bowel and breast screening records, and the LD and SMI codes that shape uptake.

Coverage starts from a programme's base rate for the age group and moves with deprivation,
ethnicity, learning disability, severe mental illness, interpreter need and (bowel) sex, so the
low-participation groups the PCN service asks about are really there to be found.
"""

from __future__ import annotations

import numpy as np

from qof_cancer.synth.events import EventBuilder, PlantedBuilder
from qof_cancer.synth.params import SynthParams
from qof_cancer.synth.population import DAYS_PER_YEAR, Population
from qof_cancer.synth.vocab import load_code_group, load_screening_list

__all__ = ["write_screening", "write_ld_smi"]

# Codes picked from the copied lists by name so a changed list fails loudly (KeyError), not silently.
_CERVICAL_TESTS = ("1020451000000104", "417036008", "439958008", "1104601000000107")
_HPV_NEGATIVE, _HPV_POSITIVE = "888091000000108", "888111000000103"
_NO_UTERUS = "416099005"
_CERVICAL_NON_RESPONSE = ("275982002", "1109911000000100")
_CERVICAL_DECLINED = "736595007"
_CERVICAL_OVERDUE = "390930009"
_FIT_NORMAL, _FIT_ABNORMAL, _FIT_FAILED = "1101361000000103", "1101371000000105", "1101381000000107"
_FOB_INCOMPLETE = "384241000000100"
_BREAST_SCREEN = "268547008"


def _check(list_name: str, *codes: str) -> tuple[str, ...]:
    known = load_screening_list(list_name)
    missing = [c for c in codes if c not in known]
    if missing:
        raise KeyError(f"synth/data/screening/{list_name}.csv lacks {missing}")
    return codes


def _coverage(pop: Population, base: np.ndarray, effect_smi: float, params: SynthParams) -> np.ndarray:
    """Probability of being screened in the window, per patient."""
    imd = np.where(pop.imd > 0, pop.imd, 3)
    p = base + params.imd_step * (imd - 3)  # the base rate is for quintile 3, the middle
    p = p + params.minority_ethnicity_effect * (pop.ethnicity >= 1)
    p = p + params.learning_disability_effect * pop.learning_disability + effect_smi * pop.smi
    p = p + params.interpreter_effect * pop.interpreter
    return np.clip(p, 0.02, 0.98)


def _days_before(rng: np.random.Generator, end: np.ndarray, low_days: float, high_days: float) -> np.ndarray:
    return (end - rng.uniform(low_days, high_days, len(end))).astype(np.int32)


def write_screening(
    rng: np.random.Generator,
    pop: Population,
    events: EventBuilder,
    planted: PlantedBuilder,
    params: SynthParams,
) -> None:
    """All three programmes for the whole batch, in a handful of vectorised passes."""
    end = pop.last_day
    age = pop.age_on(end)
    n = len(pop)
    cervix = np.isin(pop.sex, ("F", "I"))
    smi_cerv, smi_bowel, smi_breast = params.smi_effect

    # Cervical: 3.5-year window at 25-49, 5.5 at 50-64; no uterus removes a woman from the cohort.
    _check("cervical_screening_test_done_snomed", *_CERVICAL_TESTS)
    _check("cervical_screening_hpv_cytology_result_snomed", _HPV_NEGATIVE, _HPV_POSITIVE)
    _check("cervical_screening_unsuitable_or_not_indicated_snomed", _NO_UTERUS)
    _check("cervical_screening_non_responder_snomed", *_CERVICAL_NON_RESPONSE)
    _check("cervical_screening_declined_snomed", _CERVICAL_DECLINED)
    _check("cervical_screening_invitation_recall_status_snomed", _CERVICAL_OVERDUE)
    in_age = cervix & (age >= 25) & (age < 65)
    no_uterus = cervix & (age >= 40) & (rng.random(n) < params.hysterectomy_share_40_plus)
    hyst_day = _days_before(rng, end, 0, np.minimum(age - 35, 20).clip(0) * DAYS_PER_YEAR + 1)
    events.add(np.flatnonzero(no_uterus), _NO_UTERUS, hyst_day[no_uterus])
    window = np.where(age < 50, 42 * 30.4, 66 * 30.4)
    base = np.where(age < 50, params.cervical_coverage_25_49, params.cervical_coverage_50_64)
    eligible = in_age & ~no_uterus
    covered = eligible & (rng.random(n) < _coverage(pop, base, smi_cerv, params))
    test_day = _days_before(rng, end, 0, window - 20)
    previous_day = (test_day - window * rng.uniform(0.75, 1.0, n)).astype(np.int32)
    lapsed_day = (end - window - rng.uniform(60, 1500, n)).astype(np.int32)
    adult = (previous_day - pop.dob) > 24.5 * DAYS_PER_YEAR
    for cohort, day in (
        (covered, test_day),
        (covered & adult & (rng.random(n) < 0.8), previous_day),
        (eligible & ~covered & (rng.random(n) < 0.5), lapsed_day),
    ):
        who = np.flatnonzero(cohort)
        test_ids = events.code_ids(_CERVICAL_TESTS)[rng.choice(4, len(who), p=(0.45, 0.3, 0.2, 0.05))]
        events.add(who, test_ids, day[who])
        no_result = rng.random(len(who)) < params.cervical_no_result_share
        result_day = day[who] + rng.integers(10, 31, len(who))
        positive = rng.random(len(who)) < 0.13
        result = np.where(positive, events.code_ids([_HPV_POSITIVE])[0], events.code_ids([_HPV_NEGATIVE])[0])
        events.add(who[~no_result], result[~no_result], result_day[~no_result])
        planted.add(who[no_result & events.recordable(who, day[who])], "cervical_sample_no_result")
    not_covered = np.flatnonzero(eligible & ~covered)
    kind = rng.random(len(not_covered))
    status_day = _days_before(rng, end[not_covered], 0, 2 * DAYS_PER_YEAR)
    non_response = events.code_ids(_CERVICAL_NON_RESPONSE)[(kind < 0.15).astype(int)]
    nr = kind < 0.5
    events.add(not_covered[nr], non_response[nr], status_day[nr])
    declined = (kind >= 0.5) & (kind < 0.58)
    events.add(not_covered[declined], _CERVICAL_DECLINED, status_day[declined])
    overdue = (kind >= 0.58) & (kind < 0.78)
    events.add(not_covered[overdue], _CERVICAL_OVERDUE, status_day[overdue])

    # Bowel: FIT every 2 years at 50-74, coverage counted over 30 months.
    _check(
        "bowel_screening_fit_fobt_results_snomed", _FIT_NORMAL, _FIT_ABNORMAL, _FIT_FAILED, _FOB_INCOMPLETE
    )
    in_age = (age >= 50) & (age < 75)
    base = np.where(age >= 60, params.bowel_coverage_60_74, params.bowel_coverage_50_59)
    p = _coverage(pop, base, smi_bowel, params) + params.male_bowel_effect * (pop.sex == "M")
    covered = in_age & (rng.random(n) < p)
    fit_day = _days_before(rng, end, 0, 30 * 30.4 - 20)
    earlier = covered & (rng.random(n) < 0.7) & (age >= 52)
    for cohort, day in ((covered, fit_day), (earlier, (fit_day - 2 * DAYS_PER_YEAR).astype(np.int32))):
        who = np.flatnonzero(cohort)
        abnormal = rng.random(len(who)) < 0.03
        # FIT in micrograms of haemoglobin per gram of faeces; 120 is England's screening cut-off.
        value = np.where(
            abnormal, rng.uniform(120, 600, len(who)), np.rint(rng.exponential(6, len(who)) % 119)
        )
        ids = np.where(abnormal, events.code_ids([_FIT_ABNORMAL])[0], events.code_ids([_FIT_NORMAL])[0])
        events.add(who, ids, day[who], value=value, unit="ug/g")
    not_covered = np.flatnonzero(in_age & ~covered)
    kind = rng.random(len(not_covered))
    day = _days_before(rng, end[not_covered], 0, 30 * 30.4)
    bowel_local = load_code_group("local")[0]
    events.add(not_covered[kind < 0.6], bowel_local, day[kind < 0.6])
    incomplete = (kind >= 0.6) & (kind < 0.68)
    events.add(not_covered[incomplete], _FOB_INCOMPLETE, day[incomplete])
    failed = (kind >= 0.68) & (kind < 0.73)
    events.add(not_covered[failed], _FIT_FAILED, day[failed])

    # Breast: women 50-70 invited 3-yearly; the standard counts 53-70 over 36 months.
    _check("breast_screening_gm_sde_snomed", _BREAST_SCREEN)
    in_age = (pop.sex == "F") & (age >= 50) & (age < 71)
    base = np.where(age >= 53, params.breast_coverage_53_70, params.breast_coverage_53_70 * 0.6)
    covered = in_age & (rng.random(n) < _coverage(pop, base, smi_breast, params))
    screen_day = _days_before(rng, end, 0, 36 * 30.4 - 20)
    earlier = covered & (age >= 53) & (rng.random(n) < 0.75)
    events.add(np.flatnonzero(covered), _BREAST_SCREEN, screen_day[covered])
    events.add(
        np.flatnonzero(earlier), _BREAST_SCREEN, (screen_day - 3 * DAYS_PER_YEAR).astype(np.int32)[earlier]
    )
    dna = in_age & ~covered & (rng.random(n) < 0.4)
    events.add(
        np.flatnonzero(dna), load_code_group("local")[1], _days_before(rng, end, 0, 3 * DAYS_PER_YEAR)[dna]
    )


def write_ld_smi(rng: np.random.Generator, pop: Population, events: EventBuilder) -> None:
    """A diagnosis code years ago and, for most, a recent register code."""
    end = pop.last_day
    age = pop.age_on(end)
    for flag, group, onset in ((pop.learning_disability, "learning_disability", 3), (pop.smi, "smi", 16)):
        who = np.flatnonzero(flag & (age > onset))
        codes = events.code_ids(load_code_group(group))
        years_ago = rng.uniform(0, np.minimum(age[who] - onset, 25))
        diagnosis = codes[1:][rng.integers(0, len(codes) - 1, len(who))]
        events.add(who, diagnosis, (end[who] - years_ago * DAYS_PER_YEAR).astype(np.int32))
        on_register = rng.random(len(who)) < 0.7
        register_day = (end[who] - rng.uniform(0, 365, len(who))).astype(np.int32)
        events.add(who[on_register], int(codes[0]), register_day[on_register])
