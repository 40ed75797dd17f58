"""Cancer diagnoses and how a practice codes them: the register, reviews, support, PCAs and faults.

Diagnoses are drawn year by year back to `diagnosis_history_start_year` from age- and sex-specific
incidence, weighted by net survival (a patient alive today who was diagnosed k years ago had to
survive k years), which gives both the yearly new diagnoses and the accumulated register.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np

from qof_cancer.codes import load_clusters
from qof_cancer.synth.events import EPISODES, EventBuilder, PlantedBuilder
from qof_cancer.synth.params import AGE_BANDS, SynthParams
from qof_cancer.synth.population import DAYS_PER_YEAR, DIED, NO_DATE, Population, Practice
from qof_cancer.synth.vocab import load_cancer_sites, load_code_group

__all__ = ["REGISTER_START", "day_number", "draw_diagnoses", "write_cancer_events", "write_nmsc"]


def day_number(day: date) -> int:
    """Days since 1970-01-01, the generator's date unit."""
    return day.toordinal() - date(1970, 1, 1).toordinal()


REGISTER_START = day_number(date(2003, 4, 1))
_SUPPORT_ERA = day_number(date(2021, 1, 1))  # CANPCSUPP_COD coding began with CAN005 in 2021-22
_REVIEW_ERA = day_number(date(2004, 4, 1))  # cancer care reviews counted in QOF from 2004


@cache
def _cluster_codes() -> dict[str, tuple[str, ...]]:
    """The bundled cluster codes the practice behaviour writes (example codes for four clusters)."""
    clusters = load_clusters()
    ids = ("MDRV_COD", "CANPCSUPP_COD", "CANPCAPU_COD", "CANPCADEC_COD", "CANINVITE_COD")
    return {cid: tuple(sorted(clusters[cid].codes)) for cid in ids}


def _incidence(age: np.ndarray, female: np.ndarray, params: SynthParams) -> np.ndarray:
    """Yearly probability of a first cancer diagnosis at `age`."""
    band = np.clip((age // 5).astype(int), 0, len(AGE_BANDS) - 1)
    rate = np.asarray(params.incidence_per_100k)[band] / 1e5 * params.incidence_scale
    rate = np.where(female & (age >= 25) & (age < 60), rate * params.incidence_female_multiplier_25_59, rate)
    return np.where(~female & (age >= 60), rate * params.incidence_male_multiplier_60_plus, rate)


def draw_diagnoses(rng: np.random.Generator, pop: Population, params: SynthParams) -> np.ndarray:
    """The true diagnosis day of each patient's cancer, NO_DATE for none (one primary each)."""
    n = len(pop)
    end = pop.last_day
    age_end = pop.age_on(end)
    female = pop.sex != "M"
    years = int((pop.as_of - day_number(date(params.diagnosis_history_start_year, 1, 1))) / DAYS_PER_YEAR) + 1
    k = np.arange(years) + 0.5  # years before the end of the record, mid-year
    floor, tau = params.relative_survival
    survival = floor + (1 - floor) * np.exp(-k / tau)
    age_then = age_end[:, None] - k[None, :]
    hazard = _incidence(age_then, female[:, None], params) * survival[None, :]
    hit = (rng.random((n, years)) < hazard) & (age_then >= 0)
    # The earliest hit is the one diagnosis: later hits would be the same tumour re-found.
    any_hit = hit.any(axis=1)
    earliest = years - 1 - np.argmax(hit[:, ::-1], axis=1)
    dx = np.where(any_hit, end - np.rint((earliest + rng.random(n)) * DAYS_PER_YEAR), NO_DATE)

    # Deaths of the year: a quarter from cancer, diagnosed a year or so before; a few older histories.
    died = pop.status == DIED
    u = rng.random(n)
    recent = np.rint(rng.exponential(params.cancer_death_diagnosis_mean_years, n) * DAYS_PER_YEAR)
    old = np.rint(rng.uniform(1, 15, n) * DAYS_PER_YEAR)
    dx = np.where(died & (u < params.cancer_death_share), end - recent, dx)
    share_old = params.cancer_death_share + params.other_death_old_cancer_share
    dx = np.where(died & (u >= params.cancer_death_share) & (u < share_old), end - old, dx)
    dx = np.where(died & (u >= share_old), NO_DATE, dx)
    dx = np.where(dx != NO_DATE, np.maximum(dx, pop.dob), NO_DATE)
    return dx.astype(np.int32)


def write_cancer_events(
    rng: np.random.Generator,
    pop: Population,
    practice: Practice,
    dx: np.ndarray,
    ppsd: int,
    events: EventBuilder,
    planted: PlantedBuilder,
    params: SynthParams,
) -> None:
    """CAN_COD records (with their faults) and the practice's reviews, support contacts and PCAs."""
    who = np.flatnonzero(dx != NO_DATE)
    m = len(who)
    if m == 0:
        return
    sites = load_cancer_sites()
    site_ids = events.code_ids(sites.codes)
    female = pop.sex[who] != "M"
    site = np.where(
        female,
        rng.choice(len(sites.codes), m, p=sites.p_female),
        rng.choice(len(sites.codes), m, p=sites.p_male),
    )
    code = site_ids[site]

    # Coded from the hospital letter a few weeks on; some letters are coded months late.
    late = rng.random(m) < params.late_coding_share
    coded = dx[who] + np.where(late, rng.integers(60, 271, m), rng.integers(3, 36, m))
    on_file = events.recordable(who, coded)
    morphology = rng.random(m) < params.morphology_only_share
    code = np.where(morphology, events.code_ids(load_code_group("morphology"))[0], code)
    episode = np.full(m, -1, np.int8)
    if practice.records_episodicity:
        episode[:] = np.where(rng.random(m) < 0.8, EPISODES.index("first"), EPISODES.index("new"))
    events.add(who, code, coded, episode=episode)
    planted.add(who[on_file & late], "late_coded_diagnosis")
    planted.add(who[on_file & morphology], "morphology_only_diagnosis")
    tumour = on_file & ~morphology  # coded in CAN_COD

    # Diagnoses before 2003-04-01: most stay off the register, some are re-coded later.
    old = tumour & (coded < REGISTER_START)
    recode = old & (rng.random(m) < params.pre2003_recode_share)
    recode_day = (REGISTER_START + rng.random(m) * (events.last_day[who] - REGISTER_START)).astype(np.int32)
    events.add(who[recode], code[recode], recode_day[recode])
    planted.add(who[recode & events.recordable(who, recode_day)], "pre2003_diagnosis_recoded")

    # The same tumour coded again months later (moves CAN_DAT unless marked as a review).
    duplicate = tumour & (rng.random(m) < params.duplicate_code_share)
    dup_day = coded + rng.integers(60, 301, m)
    dup_episode = np.full(m, -1, np.int8)
    if practice.records_episodicity:
        dup_episode[rng.random(m) < 0.5] = EPISODES.index("review")
    events.add(who[duplicate], code[duplicate], dup_day[duplicate], episode=dup_episode[duplicate])
    planted.add(who[duplicate & events.recordable(who, dup_day)], "duplicate_diagnosis_code")

    # Joined after the diagnosis: the new practice adds a "History of" code at registration.
    joined_after = tumour & (pop.reg_start[who] > coded + 30)
    history = joined_after & (rng.random(m) < params.history_of_at_registration_share)
    history_codes = events.code_ids(load_code_group("history_of"))
    history_day = pop.reg_start[who] + rng.integers(0, 31, m)
    events.add(
        who[history], history_codes[rng.integers(0, len(history_codes), m)][history], history_day[history]
    )
    planted.add(who[history & events.recordable(who, history_day)], "history_of_code_at_registration")
    # The trap proper: an old diagnosis no later record brings onto the register.
    later = (duplicate & events.recordable(who, dup_day) & (dup_day >= REGISTER_START)) | (
        history & events.recordable(who, history_day) & (history_day >= REGISTER_START)
    )
    planted.add(who[old & ~recode & ~later], "diagnosis_only_before_2003")

    _write_care(rng, who[on_file], coded[on_file], practice, ppsd, events, planted, params)


def _write_care(
    rng: np.random.Generator,
    who: np.ndarray,
    coded: np.ndarray,
    practice: Practice,
    ppsd: int,
    events: EventBuilder,
    planted: PlantedBuilder,
    params: SynthParams,
) -> None:
    """Support contact, Cancer Care Review, PCAs and invitations after a diagnosis is coded."""
    m = len(who)
    codes = _cluster_codes()
    u = rng.random(m)
    in_era = coded >= _SUPPORT_ERA
    support_on_time = in_era & (u < practice.support_rate)
    support_late = in_era & ~support_on_time & (rng.random(m) < params.support_late_share)
    support_day = coded + np.where(support_on_time, rng.integers(0, 81, m), rng.integers(100, 251, m))
    support = support_on_time | support_late
    events.add(who[support], codes["CANPCSUPP_COD"][0], support_day[support])

    review_era = coded >= _REVIEW_ERA
    review_on_time = review_era & (rng.random(m) < practice.ccr_rate)
    review_late = review_era & ~review_on_time & (rng.random(m) < params.ccr_late_share)
    review_day = coded + np.where(review_on_time, rng.integers(20, 341, m), rng.integers(400, 601, m))
    review = review_on_time | review_late
    events.add(who[review], codes["MDRV_COD"][0], review_day[review])

    # Without a timely review: some are unsuitable, some decline, some are invited (recent years).
    open_case = ~review_on_time & (coded >= ppsd - 3 * 365)
    r = rng.random(m)
    unsuitable = open_case & (r < params.pca_unsuitable_share)
    dissent = (
        open_case
        & (r >= params.pca_unsuitable_share)
        & (r < params.pca_unsuitable_share + params.pca_dissent_share)
    )
    invited = open_case & (r >= 1 - params.invite_share)
    pca_day = coded + rng.integers(150, 331, m)
    # Recorded in the previous QOF year: the code exists but does not count this year.
    # Only diagnoses of the last year qualify: their PCA should fall in this QOF year.
    wrong = (
        (unsuitable | dissent)
        & (coded >= ppsd - 365)
        & (coded < ppsd - 10)
        & (rng.random(m) < params.pca_wrong_year_share)
    )
    pca_day = np.where(
        wrong, ppsd - rng.integers(1, np.maximum(2, np.minimum(120, ppsd - coded)), m), pca_day
    )
    events.add(who[unsuitable], codes["CANPCAPU_COD"][0], pca_day[unsuitable])
    events.add(who[dissent], codes["CANPCADEC_COD"][0], pca_day[dissent])
    planted.add(who[wrong & events.recordable(who, pca_day)], "pca_previous_qof_year")

    invite_codes = events.code_ids(codes["CANINVITE_COD"])
    first = coded + rng.integers(120, 301, m)
    kind = rng.random(m)
    six_day = (
        invited
        & (kind >= params.invite_double_share)
        & (kind < params.invite_double_share + params.invite_six_day_share)
    )
    double = invited & (kind < params.invite_double_share)
    second = first + np.where(six_day, 6, rng.integers(7, 29, m))
    events.add(who[invited], invite_codes[0], first[invited])
    both = double | six_day
    events.add(who[both], invite_codes[rng.integers(0, len(invite_codes), m)][both], second[both])
    planted.add(
        who[six_day & events.recordable(who, second) & events.recordable(who, first)], "invite_gap_6_days"
    )


def write_nmsc(
    rng: np.random.Generator,
    pop: Population,
    events: EventBuilder,
    planted: PlantedBuilder,
    params: SynthParams,
) -> None:
    """Basal cell carcinoma codes (disorder, sometimes with its morphology): not in CAN_COD."""
    end = pop.last_day
    age = pop.age_on(end)
    who = np.flatnonzero((age >= 50) & (rng.random(len(pop)) < params.bcc_share_over_50))
    day = (end[who] - rng.uniform(0, 10, len(who)) * DAYS_PER_YEAR).astype(np.int32)
    day = np.maximum(day, (pop.dob[who] + 40 * DAYS_PER_YEAR).astype(np.int32))
    events.add(who, load_code_group("nmsc")[0], day)
    with_morphology = rng.random(len(who)) < 0.4
    events.add(who[with_morphology], load_code_group("nmsc_morphology")[0], day[with_morphology])
    planted.add(who[events.recordable(who, day)], "bcc_code_not_in_can_cod")
