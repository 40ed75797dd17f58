"""The generator's knobs: one frozen, validated dataclass, each number with its source.

Sources are cited in full in `docs/synthetic-data.md`. Tags follow the research notes:
[C] confirmed in a cited source, [S] secondary source, [A] our own assumption (a plausible value
chosen so the generated data look like a practice's; change it freely).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["SynthParams", "AGE_BANDS", "MOBILE_CATEGORIES"]

# Lower edges of the 5-year age bands used by every age-dependent table below (0-4, ..., 90+).
AGE_BANDS: tuple[int, ...] = tuple(range(0, 95, 5))

# Contact-data categories for `mobile_phone`, in the order of `mobile_category_shares`.
MOBILE_CATEGORIES: tuple[str, ...] = (
    "valid_mobile",  # 07700 900xxx, Ofcom's drama range: never a real subscriber
    "missing",  # no mobile and no landline
    "malformed",  # too short, letters for digits, too long
    "landline_only",  # no mobile, a 01632 960xxx landline in home_phone
    "landline_in_mobile_field",  # a landline typed into mobile_phone
    "personal_070",  # 070 personal numbering: looks like a mobile, is not
    "pager_076",  # 076 pager range (other than 07624)
)


@dataclass(frozen=True)
class SynthParams:
    """Every published figure and assumption the generator uses. Defaults are calibrated."""

    # --- population --------------------------------------------------------------------------
    # Share of the list in each 5-year band (0-4 ... 90+). [A] rounded from ONS mid-year
    # estimates for England; registered lists run slightly older and have list inflation at 20-39.
    age_band_weights: tuple[float, ...] = (
        5.4, 5.9, 6.1, 5.7, 6.2, 6.8, 7.0, 6.8, 6.4, 6.3,
        6.8, 6.7, 6.0, 5.1, 5.0, 3.8, 2.6, 1.5, 0.9,
    )  # fmt: skip
    # Share female in each band. [A] ONS pattern: ~49% in childhood, rising to ~70% at 90+.
    female_share_by_band: tuple[float, ...] = (
        0.488, 0.488, 0.488, 0.486, 0.492, 0.500, 0.505, 0.506, 0.505, 0.508,
        0.508, 0.507, 0.510, 0.518, 0.525, 0.540, 0.565, 0.615, 0.690,
    )  # fmt: skip
    practices_per_pcn: int = 6  # [A] PCNs serve 30-50k patients, typically a handful of practices
    sex_indeterminate_share: float = 0.0002  # [A] `I`: rare, kept so code paths see it
    sex_unknown_share: float = 0.0003  # [A] `U`
    practice_age_tilt_sd: float = 0.30  # [A] practices differ: student lists vs retirement towns
    new_registrations_per_year: float = 0.085  # [A] share of the list that joined in the last year
    leavers_per_year: float = 0.06  # [A] deregistered in the last year (rows kept with registration_end)
    deaths_per_year: float = 0.0095  # [S] ~577k deaths / 60.7M registered patients in England
    # Gompertz mortality, log q(age) = a + b * age: [A] fitted by eye to ONS life tables
    # (q(50) ~ 0.3%, q(80) ~ 5%); only shapes who is in the deaths of the year.
    mortality_gompertz: tuple[float, float] = (-10.4, 0.094)

    # --- cancer diagnoses --------------------------------------------------------------------
    # Incidence per 100,000 per year by band, both sexes. [A] the shape of CRUK's age-specific
    # all-cancer (excl. NMSC) curve; the level is set by `incidence_scale`.
    incidence_per_100k: tuple[float, ...] = (
        20, 10, 12, 20, 30, 45, 70, 105, 160, 260,
        400, 600, 900, 1300, 1700, 2000, 2300, 2500, 2500,
    )  # fmt: skip
    incidence_female_multiplier_25_59: float = 1.45  # [A] breast cancer: women higher at 25-59
    incidence_male_multiplier_60_plus: float = 1.25  # [A] men higher from 60
    # Calibrated so new diagnoses per 2,000 registered patients per year land at ~8.5 (the GP rule
    # of thumb of "eight or nine new cancer diagnoses per year" per 2,000-patient list [S]) at a 3.3%
    # register. The generator starts from it and fits each practice's scale to its register
    # prevalence, drawn from the bundled published figures (synth/national.py).
    incidence_scale: float = 0.79
    # Net (relative) survival k years after diagnosis: floor + (1 - floor) * exp(-k / tau), giving
    # ~83% at 1 year, ~57% at 5, ~51% at 10. [S] CRUK: about half survive ten years or more;
    # [A] the curve's shape. With the default `incidence_scale` it puts the register at ~3.3% [C/S].
    relative_survival: tuple[float, float] = (0.50, 2.5)
    diagnosis_history_start_year: int = 2000  # [A] diagnoses accumulate from here (brief: "~2000")
    cancer_death_share: float = 0.27  # [S] ~1 in 4 deaths in England is from cancer (ONS)
    cancer_death_diagnosis_mean_years: float = 2.0  # [A] mean time from diagnosis to cancer death
    other_death_old_cancer_share: float = 0.08  # [A] non-cancer deaths with an older cancer history

    # --- practice behaviour (each practice draws its own rate from the range) ---------------
    ccr_in_window_range: tuple[float, float] = (0.55, 0.98)  # [A] spans the CAN004 50-90% thresholds
    ccr_late_share: float = 0.5  # [A] of reviews missed in the window: done 13-20 months after
    support_in_window_range: tuple[float, float] = (0.75, 0.99)  # [A] spans CAN005's 70-90%
    support_late_share: float = 0.4  # [A] of support contacts missed in 3 months: done later
    pca_unsuitable_share: float = 0.03  # [A] of those without a timely review
    pca_dissent_share: float = 0.03  # [A]
    invite_share: float = 0.35  # [A] of those without a timely review: invited
    invite_double_share: float = 0.75  # [A] of invited: two invitations 7-28 days apart
    invite_six_day_share: float = 0.10  # [A] of invited: two invitations only 6 days apart (fault)
    episodicity_practice_share: float = 0.5  # [A] practices whose system records episodicity

    # --- planted faults and traps (shares of the group named in the comment) --------------
    late_coding_share: float = 0.08  # of diagnoses: coded 2-9 months late, from a letter
    duplicate_code_share: float = 0.10  # of diagnoses: the same tumour coded again 2-10 months later
    history_of_at_registration_share: float = 0.15  # of new joiners with a past cancer
    morphology_only_share: float = 0.015  # of diagnoses: coded only as a morphology (not in CAN_COD)
    pre2003_recode_share: float = 0.30  # of diagnoses before 2003-04-01: re-coded after
    pca_wrong_year_share: float = 0.25  # of PCA codes: recorded in the previous QOF year
    bcc_share_over_50: float = 0.02  # of patients 50+: a basal cell carcinoma code (not in CAN_COD)
    cervical_no_result_share: float = 0.03  # of cervical samples: no result ever filed

    # --- contact data -------------------------------------------------------------------------
    # Shares of MOBILE_CATEGORIES. [A] a practice list with ~80% usable mobiles.
    mobile_category_shares: tuple[float, ...] = (0.80, 0.06, 0.025, 0.06, 0.02, 0.02, 0.015)
    home_phone_share: float = 0.40  # [A] landline held, besides the landline-only group
    email_share: float = 0.55  # [A]
    email_malformed_share: float = 0.02  # [A] of emails: no @ or a space

    # --- demographics -------------------------------------------------------------------------
    # Census 2021 England high-level groups: White, Asian, Black, Mixed, Other. [S] ONS 2021.
    ethnicity_shares: tuple[float, ...] = (0.810, 0.096, 0.042, 0.030, 0.022)
    ethnicity_not_recorded_share: float = 0.08  # [A]
    practice_diversity_sd: float = 0.9  # [A] log-odds spread of the minority share between practices
    non_english_share_white: float = 0.04  # [S] Census 2021: ~9% main language not English overall
    non_english_share_minority: float = 0.35  # [A] chosen so the overall share is ~9%
    interpreter_share: float = 0.30  # [A] of non-English main language
    lsoas_per_practice: int = 30  # [A]
    lsoa_missing_share: float = 0.02  # [A] no address match
    learning_disability_share: float = 0.005  # [S] QOF LD register ~0.5-0.6% of the list
    smi_share: float = 0.0095  # [S] QOF MH register ~0.95% of the list

    # --- screening (coverage before the effects below) --------------------------------------
    cervical_coverage_25_49: float = 0.70  # [A] near published England coverage, below the 80% standard
    cervical_coverage_50_64: float = 0.76  # [A]
    bowel_coverage_60_74: float = 0.72  # [S] >70% at 60-74 (NHS England, Jan 2025)
    bowel_coverage_50_59: float = 0.60  # [S] <60% at 54-57 (same source)
    breast_coverage_53_70: float = 0.72  # [A] around the 70% acceptable standard
    imd_step: float = 0.025  # [S] lower in deprived areas; [A] 2.5 points per quintile from the middle (3)
    minority_ethnicity_effect: float = -0.07  # [S] lower in some minority groups; [A] size
    learning_disability_effect: float = -0.20  # [C] poorer access (Osborn 2012); [A] size
    smi_effect: tuple[float, float, float] = (-0.055, -0.17, -0.12)  # [C] Kerrison 2023: cerv, bowel, breast
    interpreter_effect: float = -0.06  # [A]
    male_bowel_effect: float = -0.04  # [S] men take part less than women
    hysterectomy_share_40_plus: float = 0.05  # [A] women 40+ with "no uterus" coded

    # --- volume -------------------------------------------------------------------------------
    background_events_per_patient: float = 5.0  # demo default; the bench uses ~100

    def __post_init__(self) -> None:
        """Reject impossible values at construction, naming the field."""
        bands = len(AGE_BANDS)
        for name in ("age_band_weights", "female_share_by_band", "incidence_per_100k"):
            if len(getattr(self, name)) != bands:
                raise ValueError(f"SynthParams.{name}: needs {bands} values, one per 5-year band")
        if len(self.mobile_category_shares) != len(MOBILE_CATEGORIES):
            raise ValueError(f"SynthParams.mobile_category_shares: needs {len(MOBILE_CATEGORIES)} values")
        if abs(sum(self.mobile_category_shares) - 1) > 1e-9:
            raise ValueError("SynthParams.mobile_category_shares: must add up to 1")
        if len(self.ethnicity_shares) != 5 or abs(sum(self.ethnicity_shares) - 1) > 1e-9:
            raise ValueError("SynthParams.ethnicity_shares: five shares adding up to 1")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_share", "_shares", "_range", "female_share_by_band")) or f.name.startswith(
                "cervical_coverage"
            ):
                values = value if isinstance(value, tuple) else (value,)
                if any(not 0 <= v <= 1 for v in values):
                    raise ValueError(f"SynthParams.{f.name}: shares must lie between 0 and 1, got {value}")
        for name in ("ccr_in_window_range", "support_in_window_range"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"SynthParams.{name}: low {low} above high {high}")
        if self.practices_per_pcn < 1:
            raise ValueError("SynthParams.practices_per_pcn: at least 1")
        if self.background_events_per_patient < 0 or self.incidence_scale < 0:
            raise ValueError("SynthParams: background_events_per_patient and incidence_scale must be >= 0")
        if self.invite_double_share + self.invite_six_day_share > 1:
            raise ValueError("SynthParams: invite_double_share + invite_six_day_share must be <= 1")
