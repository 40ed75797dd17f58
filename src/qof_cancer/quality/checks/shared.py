"""SQL pieces more than one check reads: repeated diagnoses, cancer-like records, records after a patient
date, and the register patients a PCA or invitation could still help.

The tables they read are made by `compute.prepare_tables` (see compute.py's docstring).
"""

from __future__ import annotations

from qof_cancer.model.nodes import PCA_OUTCOMES, SETTLED_OUTCOMES
from qof_cancer.quality.codes import CANCERLIKE_CLUSTER
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, in_list, label, quoted, record_finding

__all__ = [
    "DIAGNOSIS_COLUMNS",
    "RECORD_COLUMNS",
    "affected_patients",
    "latest_cancer_like",
    "records_after",
    "repeated_diagnoses",
    "same_cancer_words",
]

# The columns of `dq_ev`, and of `dq_dx` (its CAN_COD records with their site).
RECORD_COLUMNS = ("event_id", "patient_id", "code", "date", "episode", "cluster_id")
DIAGNOSIS_COLUMNS = (*RECORD_COLUMNS, "site", "site_key", "history", "counts")
# Outcomes a PCA or an invitation this year would not change for the better: met, outside the indicator,
# already a PCA, or settled in an earlier year (R1c).
_NOT_COUNTED = ("met", "out_of_scope", *PCA_OUTCOMES, *SETTLED_OUTCOMES)


def affected_patients(reading: RuleReading) -> str:
    """Register patients whose CAN004/CAN005 outcome a PCA or invitation could still change, with their
    outcomes now (`now`)."""
    return (
        "SELECT patient_id, string_agg(indicator || ' ' || outcome, ', ' ORDER BY indicator) AS now "
        f"FROM outcomes WHERE indicator IN {in_list(reading.ratio_ids)} "
        f"AND outcome NOT IN {in_list(_NOT_COUNTED)} GROUP BY patient_id"
    )


def repeated_diagnoses(loose: bool) -> str:
    """Counting, non-history CAN_COD records with the latest earlier record of the same cancer.

    The same cancer: the same site group (or, for the groups that name no tumour, the same code); when
    `loose`, also a code of unspecified site beside any other (a metastasis code, "secondary", still
    matches only itself).
    """
    same = (
        "(e.site_key = r.site_key OR ((e.site = 'unspecified' OR r.site = 'unspecified') "
        "AND e.site <> 'secondary' AND r.site <> 'secondary'))"
        if loose
        else "e.site_key = r.site_key"
    )
    columns = ", ".join(DIAGNOSIS_COLUMNS)
    return (
        f"SELECT {columns}, prev_date, prev_code, first_date FROM (SELECT "
        + ", ".join(f"r.{c}" for c in DIAGNOSIS_COLUMNS)
        + ", e.date AS prev_date, e.code AS prev_code, "
        "MIN(e.date) OVER (PARTITION BY r.event_id) AS first_date, "
        "row_number() OVER (PARTITION BY r.event_id ORDER BY e.date DESC, e.event_id DESC) AS pick "
        "FROM dq_dx r JOIN dq_dx e ON e.patient_id = r.patient_id AND e.counts AND NOT e.history "
        f"AND (e.date < r.date OR (e.date = r.date AND e.event_id < r.event_id)) AND {same} "
        "WHERE r.counts AND NOT r.history) AS repeats WHERE pick = 1"
    )


def same_cancer_words(alias: str = "r") -> str:
    """How the repeat of `alias` matches the record before it: the same code, or the same site."""
    return (
        f"CASE WHEN {alias}.code = {alias}.prev_code THEN 'the same code' ELSE "
        f"{label(alias + '.prev_code', 'pt.term')} || CASE WHEN {alias}.site = 'unspecified' OR "
        f"pt_site.site = 'unspecified' THEN ' (one of the two codes names no site)' "
        f"ELSE ' (the same cancer site: ' || {alias}.site || ')' END END"
    )


def latest_cancer_like(kinds: tuple[str, ...]) -> str:
    """The latest cancer-like record of `kinds` of patients with no counting CAN_COD record."""
    columns = ", ".join(RECORD_COLUMNS)
    return (
        f"SELECT {columns}, kind, fix_code, suggested FROM (SELECT "
        + ", ".join(f"e.{c}" for c in RECORD_COLUMNS)
        + ", l.kind, l.fix_code, l.suggested, "
        "row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.event_id) AS pick "
        "FROM dq_ev e JOIN dq_cancer_like l ON l.code = e.code "
        f"WHERE e.cluster_id = {quoted(CANCERLIKE_CLUSTER)} AND l.kind IN {in_list(kinds)} "
        "AND NOT EXISTS (SELECT 1 FROM dq_cd c WHERE c.patient_id = e.patient_id)) AS latest WHERE pick = 1"
    )


def records_after(check: str, column: str, words: str, fix: str, extra: str = "") -> str:
    """One finding per patient with records (of any patient, any date) after `patients.<column>`."""
    detail = (
        f"{as_text('x.n')} || ' record(s) dated after {words} (' || {as_text('x.limit_date')} || '), the last ' || "
        + label("x.code", "t.term")
        + f" || ' on ' || {as_text('x.date')} || '.'"
    )
    return (
        record_finding(
            check,
            "x",
            detail=detail,
            fix=quoted(fix),
        )
        + " FROM (SELECT patient_id, n, date, code, event_id, limit_date FROM (SELECT e.patient_id, "
        "COUNT(*) OVER (PARTITION BY e.patient_id) AS n, e.date, e.code, e.event_id, "
        f"p.{column} AS limit_date, "
        "row_number() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.event_id) AS pick "
        f"FROM dq_events e JOIN patients p ON p.patient_id = e.patient_id WHERE e.date > p.{column} {extra}"
        ") AS later WHERE pick = 1) x LEFT JOIN dq_terms t ON t.code = x.code"
    )
