"""PCA or invitation records from the previous QOF year, for patients they could still help.

A lone old invitation is no coding fault: invitations are reported where, recorded this year, they
would make the pair the no-response PCA needs. The impact re-run records them again this year.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import affected_patients
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, date_literal, in_list, label, record_finding


def build(reading: RuleReading) -> str:
    """PCA records from the previous year; invitations from it where, recorded this year, they would
    make the pair the no-response PCA needs (a lone old invitation is no coding fault)."""
    pca = tuple(c for c in reading.pca_clusters if c not in reading.invite_clusters)
    if not pca and not reading.invite_clusters:
        return ""
    start, ppsd, gap = (
        date_literal(reading.lookback_start),
        date_literal(reading.ppsd),
        reading.invite_gap_days,
    )
    pairs = (
        "SELECT patient_id FROM dq_ev "
        f"WHERE cluster_id IN {in_list(reading.invite_clusters)} AND date >= {start} GROUP BY patient_id "
        f"HAVING COUNT(*) >= 2 AND date_diff('day', MIN(date), MAX(date)) >= {gap} "
        f"AND MIN(date) < {ppsd}"
    )
    detail = (
        f"{label('r.code', 't.term')} || ' (' || r.cluster_id || ') on ' || {as_text('r.date')} || ' was recorded "
        f"in the previous QOF year: PCA and invitation codes count only in the year they are recorded "
        f"(from {reading.ppsd.isoformat()}). Now: ' || a.now || '.'"
    )
    fix = (
        f"CASE WHEN r.cluster_id IN {in_list(reading.invite_clusters)} THEN 'Invite the patient again this "
        f"year: two invitations at least {gap} days apart, both in this QOF year.' ELSE 'If it still "
        "applies, discuss it with the patient again and record it again this year: it must be recorded in "
        "each QOF year.' END"
    )
    fix_date = f"LEAST({ppsd} + CAST((r.k - 1) * {gap} AS INTEGER), {date_literal(reading.ach)})"
    return (
        record_finding(
            "pca_previous_year",
            "r",
            detail=detail,
            fix=fix,
            fix_code="r.code",
            fix_date=fix_date,
        )
        + " FROM (SELECT e.*, row_number() OVER (PARTITION BY e.patient_id, e.cluster_id "
        "ORDER BY e.date, e.event_id) AS k FROM dq_ev e "
        f"WHERE e.date >= {start} AND e.date < {ppsd} AND (e.cluster_id IN {in_list(pca)} OR "
        f"(e.cluster_id IN {in_list(reading.invite_clusters)} AND e.patient_id IN ({pairs})))) r "
        f"JOIN ({affected_patients(reading)}) a ON a.patient_id = r.patient_id LEFT JOIN dq_terms t ON t.code = r.code"
    )


CHECK = Check(
    "pca_previous_year",
    "A PCA or invitation code recorded in the previous QOF year: it counts only in its own year",
    "computed",
    build=build,
)
