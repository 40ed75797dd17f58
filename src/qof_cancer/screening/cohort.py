"""Who is in each screening cohort on a reference date, and whether they are covered. All in SQL.

`build_cohort` creates one table with a row per patient per programme whose sex and age (whole years on
the reference date) put them in the programme, registered and alive on that date. `eligible` is false
when an exclusion cluster (no cervix, ...) is recorded; `exclusion` names it. `covered` means a record of
a `covered` cluster dated after (reference date - window) and on or before the reference date.
"""

from __future__ import annotations

from datetime import date

import duckdb

from qof_cancer.engine.facts import registered_on_sql
from qof_cancer.inputs.backends import sql_string
from qof_cancer.model.dates import add_months
from qof_cancer.screening.settings import Programme, ScreeningSettings

__all__ = ["build_people", "build_cohort", "COHORT_COLUMNS", "GROUP_DIMENSIONS"]

# Patient columns a coverage breakdown can use, in output order.
GROUP_DIMENSIONS = (
    "age_band",
    "sex",
    "imd_quintile",
    "ethnicity",
    "learning_disability",
    "severe_mental_illness",
    "language",
    "main_language",
    "interpreter_needed",
)
COHORT_COLUMNS = (
    "practice_code",
    "pcn_code",
    "patient_id",
    "programme",
    "age",
    *GROUP_DIMENSIONS,
    "contact_status",
    "eligible",
    "exclusion",
    "covered",
    "last_test",
    "last_non_response",
    "last_declined",
    "last_unsuitable",
    "last_contact",
    "due_date",
)

_NOT_RECORDED = "Not recorded"


def _age_sql(as_of: str) -> str:
    """Whole years on the reference date; a 29 February birthday falls on 1 March in other years."""
    return (
        f"(date_diff('year', date_of_birth, {as_of}) - "
        f"CASE WHEN strftime({as_of}, '%m%d') < strftime(date_of_birth, '%m%d') THEN 1 ELSE 0 END)"
    )


def build_people(
    con: duckdb.DuckDBPyConnection, settings: ScreeningSettings, as_of: date, table: str
) -> None:
    """`table`: patients registered and alive on `as_of`, with age, group columns and contact status.

    Needs `patients`, `events`, `cluster_codes` and `scr_phone_class(number, class)` in `con`.
    """
    day = f"DATE '{as_of.isoformat()}'"
    yes_no = "CASE WHEN {c} THEN 'Yes' ELSE 'No' END"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH flags AS (
            SELECT e.patient_id,
                   bool_or(c.cluster_id = $ld) AS ld,
                   bool_or(c.cluster_id = $smi) AS smi
            FROM events e JOIN cluster_codes c ON c.code = e.code
            WHERE e.date <= {day} AND c.cluster_id IN ($ld, $smi)
            GROUP BY e.patient_id
        )
        SELECT p.patient_id, p.practice_code, p.pcn_code, p.sex, p.date_of_birth,
               {_age_sql(day)} AS age,
               COALESCE(p.imd_quintile, '{_NOT_RECORDED}') AS imd_quintile,
               COALESCE(p.ethnicity, '{_NOT_RECORDED}') AS ethnicity,
               {yes_no.format(c="COALESCE(f.ld, FALSE)")} AS learning_disability,
               {yes_no.format(c="COALESCE(f.smi, FALSE)")} AS severe_mental_illness,
               CASE WHEN p.main_language IS NULL THEN '{_NOT_RECORDED}'
                    WHEN lower(p.main_language) = 'english' THEN 'English'
                    ELSE 'Not English' END AS language,
               COALESCE(p.main_language, '{_NOT_RECORDED}') AS main_language,
               CASE WHEN lower(p.interpreter_needed) IN ('true', 'yes', 'y', '1') THEN 'Yes'
                    WHEN lower(p.interpreter_needed) IN ('false', 'no', 'n', '0') THEN 'No'
                    ELSE '{_NOT_RECORDED}' END AS interpreter_needed,
               CASE WHEN m.class = 'mobile' OR h.class = 'mobile' THEN 'usable_mobile'
                    WHEN m.class IN ('personal_070', 'pager') THEN 'personal_070_or_pager'
                    WHEN m.class = 'malformed' OR h.class = 'malformed' THEN 'malformed'
                    WHEN m.class = 'landline' OR h.class = 'landline' THEN 'landline_only'
                    ELSE 'missing' END AS contact_status
        FROM patients p
        LEFT JOIN flags f ON f.patient_id = p.patient_id
        LEFT JOIN scr_phone_class m ON m.number = p.mobile_phone
        LEFT JOIN scr_phone_class h ON h.number = p.home_phone
        WHERE {registered_on_sql(as_of, "p")}
        """,
        {"ld": settings.learning_disability, "smi": settings.severe_mental_illness},
    )


def _programme_sql(programme: Programme, as_of: date, band_years: int, people: str, last: str) -> str:
    """One programme's rows: the in-range people with their last dates per kind of record."""
    ages = programme.ages_on(as_of)
    window_start = add_months(as_of, -programme.window_months)

    def latest(kind: str) -> str:
        ids = getattr(programme, kind)
        if not ids:
            return f"CAST(NULL AS DATE) AS last_{kind}"
        quoted = ", ".join(sql_string(c) for c in ids)
        return f"max(last_date) FILTER (WHERE cluster_id IN ({quoted})) AS last_{kind}"

    sexes = ", ".join(f"'{s}'" for s in programme.sexes)
    band_low = f"({ages.min} + (age - {ages.min}) // {band_years} * {band_years})"
    exclusion = ",".join(programme.exclude).replace("'", "''")
    kinds = ("covered", "exclude", "declined", "unsuitable", "non_response", "contact")
    return f"""
        SELECT p.practice_code, p.pcn_code, p.patient_id, '{programme.id}' AS programme, p.age,
               CAST({band_low} AS VARCHAR) || '-' || CAST(least({band_low} + {band_years - 1}, {ages.max}) AS VARCHAR)
                   AS age_band,
               p.sex, p.imd_quintile, p.ethnicity, p.learning_disability, p.severe_mental_illness,
               p.language, p.main_language, p.interpreter_needed, p.contact_status,
               l.last_exclude IS NULL AS eligible,
               CASE WHEN l.last_exclude IS NOT NULL THEN '{exclusion}' END AS exclusion,
               COALESCE(l.last_covered > DATE '{window_start.isoformat()}', FALSE) AS covered,
               l.last_covered AS last_test, l.last_non_response, l.last_declined, l.last_unsuitable,
               l.last_contact,
               CAST(CASE WHEN l.last_covered IS NOT NULL
                         THEN l.last_covered + INTERVAL {programme.recall_months} MONTH
                         ELSE p.date_of_birth + INTERVAL {ages.min} YEAR END AS DATE) AS due_date
        FROM {people} p
        LEFT JOIN (
            SELECT patient_id, {", ".join(latest(k) for k in kinds)}
            FROM {last} GROUP BY patient_id
        ) l ON l.patient_id = p.patient_id
        WHERE p.sex IN ({sexes}) AND p.age BETWEEN {ages.min} AND {ages.max}
    """


def build_cohort(
    con: duckdb.DuckDBPyConnection, settings: ScreeningSettings, as_of: date, table: str = "scr_cohort"
) -> None:
    """Create `table` (COHORT_COLUMNS) for the reference date `as_of`."""
    people, last = f"{table}_people", f"{table}_last"
    build_people(con, settings, as_of, people)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {last} AS
        SELECT e.patient_id, c.cluster_id, max(e.date) AS last_date
        FROM events e JOIN cluster_codes c ON c.code = e.code
        WHERE e.date <= DATE '{as_of.isoformat()}'
        GROUP BY ALL
        """
    )
    parts = [_programme_sql(p, as_of, settings.age_band_years, people, last) for p in settings.programmes]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(COHORT_COLUMNS)} FROM ("
        + " UNION ALL ".join(parts)
        + ") ORDER BY practice_code, programme, patient_id"
    )
