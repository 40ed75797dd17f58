"""Follow-up lists (patient level, for the practice only): non-responders and results not back.

Non-responders: every eligible patient not covered, with their status, last test, last non-response,
decline and contact records, days overdue and whether a usable mobile is on record. Sorted for follow-up:
recorded non-responders first, then never screened, then lapsed; those recorded as unsuitable or as having
declined come last (their choice stands; the list shows them so a review date is not missed). Within each,
the longest overdue first.
"""

from __future__ import annotations

from datetime import date, timedelta

from qof_cancer.engine.facts import registered_on_sql
from qof_cancer.inputs.backends import sql_string
from qof_cancer.model.dates import add_months
from qof_cancer.screening.settings import ScreeningSettings

__all__ = ["non_responders_sql", "results_pending_sql", "STATUS_PRIORITY"]

# status -> priority (1 = first to follow up)
STATUS_PRIORITY = {"non_responder": 1, "never_screened": 2, "lapsed": 3, "unsuitable": 8, "declined": 9}


def non_responders_sql(cohort: str, as_of: date) -> str:
    """The follow-up list from the cohort table on the reference date."""
    after_test = "{d} IS NOT NULL AND {d} > COALESCE(last_test, DATE '0001-01-01')"
    status = f"""
        CASE WHEN {after_test.format(d="last_declined")} THEN 'declined'
             WHEN {after_test.format(d="last_unsuitable")} THEN 'unsuitable'
             WHEN {after_test.format(d="last_non_response")} THEN 'non_responder'
             WHEN last_test IS NULL THEN 'never_screened'
             ELSE 'lapsed' END
    """
    priority = " ".join(f"WHEN '{k}' THEN {v}" for k, v in STATUS_PRIORITY.items())
    return f"""
        WITH s AS (SELECT *, {status} AS status FROM {cohort} WHERE eligible AND NOT covered)
        SELECT practice_code, patient_id, programme, status,
               CASE status {priority} END AS priority,
               age, last_test, last_non_response, last_declined, last_unsuitable, last_contact, due_date,
               greatest(0, DATE '{as_of.isoformat()}' - due_date) AS days_overdue,
               contact_status = 'usable_mobile' AS usable_mobile, contact_status
        FROM s
        ORDER BY practice_code, programme, priority, days_overdue DESC, patient_id
    """


def results_pending_sql(settings: ScreeningSettings, as_of: date) -> str:
    """Cervical samples taken in the look-back period, at least `after_days` ago, with no result since.

    Patients registered and alive on the reference date only. One row per patient per sample date.
    """
    latest_sample = as_of - timedelta(days=settings.pending_after_days)
    earliest = add_months(as_of, -settings.pending_lookback_months)
    day = f"DATE '{as_of.isoformat()}'"
    sample, result = (sql_string(settings.pending_sample), sql_string(settings.pending_result))
    return f"""
        WITH coded AS (
            SELECT e.patient_id, e.date, e.code, c.cluster_id
            FROM events e JOIN cluster_codes c ON c.code = e.code
            WHERE c.cluster_id IN ({sample}, {result}) AND e.date <= {day}
        ), samples AS (
            SELECT patient_id, date AS sample_date, string_agg(DISTINCT code, '; ') AS sample_codes
            FROM coded WHERE cluster_id = {sample}
              AND date > DATE '{earliest.isoformat()}' AND date <= DATE '{latest_sample.isoformat()}'
            GROUP BY ALL
        ), results AS (SELECT patient_id, date FROM coded WHERE cluster_id = {result})
        SELECT p.practice_code, s.patient_id, s.sample_date, s.sample_codes,
               {day} - s.sample_date AS days_since_sample
        FROM samples s
        JOIN patients p ON p.patient_id = s.patient_id
        WHERE {registered_on_sql(as_of, "p")}
          AND NOT EXISTS (
              SELECT 1 FROM results r WHERE r.patient_id = s.patient_id AND r.date >= s.sample_date
          )
        ORDER BY p.practice_code, s.sample_date, s.patient_id
    """
