"""Contact data: which patients in each screening cohort have a mobile the practice can text.

Each distinct number is classified once in Python (`inputs.phones.classify_uk_phone`) and the classes are
joined back to patients in SQL, so a list of a million patients costs one pass over its distinct numbers.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from qof_cancer.inputs.phones import classify_uk_phone

__all__ = [
    "classify_phones",
    "contacts_summary_sql",
    "contacts_to_correct_sql",
    "CONTACT_STATUSES",
]

# Per patient, the best of their numbers, in this order (see cohort.build_people).
CONTACT_STATUSES = ("usable_mobile", "landline_only", "personal_070_or_pager", "malformed", "missing")

_PROBLEMS = {
    "malformed": "not a valid UK number: check it with the patient",
    "personal_070": "070 personal number: looks like a mobile but is not one",
    "pager": "076 pager number, not a mobile",
    "landline": "a landline in the mobile field",
}


def classify_phones(con: duckdb.DuckDBPyConnection) -> int:
    """Create `scr_phone_class(number, class)` for every distinct number in `patients`; return how many."""
    numbers = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT number FROM (SELECT mobile_phone AS number FROM patients "
            "UNION SELECT home_phone FROM patients) WHERE number IS NOT NULL"
        ).fetchall()
    ]
    table = pa.table(
        {"number": numbers, "class": [classify_uk_phone(n) for n in numbers]},
        schema=pa.schema([("number", pa.string()), ("class", pa.string())]),
    )
    con.register("scr_phone_class_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE scr_phone_class AS SELECT * FROM scr_phone_class_arrow")
    con.unregister("scr_phone_class_arrow")
    return len(numbers)


def contacts_summary_sql(cohort: str) -> str:
    """Per practice (and PCN), per cohort: patients and how many fall in each contact status.

    Cohorts: each programme's eligible patients, and the part of it not covered (the follow-up list).
    """
    counts = ", ".join(f"count(*) FILTER (WHERE contact_status = '{s}') AS {s}" for s in CONTACT_STATUSES)
    base = f"""
        SELECT {{level}} AS level, pcn_code, {{practice}} AS practice_code, cohort, count(*) AS patients, {counts},
               round(100.0 * count(*) FILTER (WHERE contact_status = 'usable_mobile') / count(*), 1)
                   AS usable_mobile_pct
        FROM (
            SELECT *, programme || ' eligible' AS cohort FROM {cohort} WHERE eligible
            UNION ALL
            SELECT *, programme || ' not covered' AS cohort FROM {cohort} WHERE eligible AND NOT covered
        )
        {{where}}
        GROUP BY ALL
    """
    practice = base.format(level="'practice'", practice="practice_code", where="")
    pcn = base.format(level="'pcn'", practice="CAST(NULL AS VARCHAR)", where="WHERE pcn_code IS NOT NULL")
    return (
        f"SELECT * FROM ({practice} UNION ALL {pcn}) "
        "ORDER BY level DESC, pcn_code, practice_code, split_part(cohort, ' ', 1), cohort"
    )


def contacts_to_correct_sql(cohort: str) -> str:
    """Numbers to correct for patients eligible for any programme: one row per patient per bad field."""
    problems = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _PROBLEMS.items())
    return f"""
        WITH people AS (
            SELECT practice_code, patient_id,
                   string_agg(programme, '; ' ORDER BY programme) AS programmes,
                   bool_or(NOT covered) AS any_not_covered
            FROM {cohort} WHERE eligible GROUP BY ALL
        ), fields AS (
            SELECT patient_id, 'mobile_phone' AS field, mobile_phone AS value FROM patients
            WHERE mobile_phone IS NOT NULL
            UNION ALL
            SELECT patient_id, 'home_phone', home_phone FROM patients WHERE home_phone IS NOT NULL
        )
        SELECT pe.practice_code, pe.patient_id, f.field, f.value, c.class,
               CASE c.class {problems} END AS problem, pe.programmes, pe.any_not_covered AS due_for_screening
        FROM people pe
        JOIN fields f ON f.patient_id = pe.patient_id
        JOIN scr_phone_class c ON c.number = f.value
        WHERE c.class IN ('malformed', 'personal_070', 'pager')
           OR (c.class = 'landline' AND f.field = 'mobile_phone')
        ORDER BY pe.practice_code, pe.any_not_covered DESC, pe.patient_id, f.field
    """
