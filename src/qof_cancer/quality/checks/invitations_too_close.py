"""Two or more invitations this year, but less than the required gap apart.

The impact re-run adds an invitation on the first valid day, where that is before the achievement date.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.checks.shared import affected_patients
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, date_literal, days_text, in_list, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    if not reading.invite_clusters:
        return ""
    gap = reading.invite_gap_days
    second = f"i.first_date + {gap}"
    detail = (
        f"{as_text('i.n')} || ' invitations this year, the first on ' || "
        + as_text("i.first_date")
        + " || ' and the last on ' || "
        + as_text("i.last_date")
        + " || ': ' || "
        + days_text("date_diff('day', i.first_date, i.last_date)")
        + f" || ' apart; PCA for no response needs two at least {gap} days apart. Now: ' || a.now || '.'"
    )
    fix = "'Send another invitation on or after ' || " + as_text(second) + " || '.'"
    rule_impact = (
        f"CASE WHEN {second} > {date_literal(reading.ach)} THEN 'not computed: the next valid invitation date is after "
        "the achievement date' END"
    )
    return (
        record_finding(
            "invitations_too_close",
            "i",
            date="i.last_date",
            detail=detail,
            fix=fix,
            rule_impact=rule_impact,
            fix_code=f"CASE WHEN {second} <= {date_literal(reading.ach)} THEN i.code END",
            fix_date=second,
        )
        # The code of the first invitation and the record of the last (the earlier in the file on a tie).
        + " FROM (SELECT patient_id, COUNT(*) AS n, MIN(date) AS first_date, MAX(date) AS last_date, "
        "MIN(CASE WHEN first_pick = 1 THEN code END) AS code, "
        "MIN(CASE WHEN last_pick = 1 THEN event_id END) AS event_id FROM (SELECT patient_id, code, date, "
        "event_id, row_number() OVER (PARTITION BY patient_id ORDER BY date, event_id) AS first_pick, "
        "row_number() OVER (PARTITION BY patient_id ORDER BY date DESC, event_id) AS last_pick FROM dq_ev "
        f"WHERE cluster_id IN {in_list(reading.invite_clusters)} AND date >= {date_literal(reading.ppsd)}"
        ") AS invitations GROUP BY patient_id "
        f"HAVING COUNT(*) >= 2 AND date_diff('day', MIN(date), MAX(date)) < {gap}) i "
        f"JOIN ({affected_patients(reading)}) a ON a.patient_id = i.patient_id"
    )


CHECK = Check(
    "invitations_too_close",
    "Two invitations this year, but less than the required gap apart",
    "computed",
    build=build,
)
