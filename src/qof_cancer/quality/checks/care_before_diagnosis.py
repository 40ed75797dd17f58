"""A review or support record dated before CAN_DAT (within its window before it): it does not count.

Patients whose CAN_DAT is itself a fault found by a `moves_can_dat` check are left to that check
(table `dq_can_dat_moved`). The impact is stated from the rules.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import (
    as_text,
    days_text,
    first_picked,
    in_list,
    label,
    minus,
    numbered,
    quoted,
    record_finding,
)


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    parts = []
    for w in reading.care:
        detail = (
            f"{label('e.code', 't.term')} || ' on ' || {as_text('e.date')} || ' is ' || "
            + days_text("date_diff('day', e.date, o.can_dat)")
            + " || ' before the diagnosis date (CAN_DAT) ' || "
            + as_text("o.can_dat")
            + f" || ': {w.indicator} counts it only on or after CAN_DAT.'"
        )
        fix = quoted(
            "Check the diagnosis date: if the cancer was diagnosed before this record (its code entered "
            "late, from a letter), correct the diagnosis code's date to the date of diagnosis. Do not "
            "re-date this record."
        )
        impact = (
            f"'{w.indicator}: ' || o.outcome || ' now; met if the diagnosis was dated on or before ' || "
            + as_text("e.date")
        )
        parts.append(
            first_picked(
                record_finding(
                    "care_before_diagnosis",
                    "e",
                    detail=detail,
                    fix=fix,
                    rule_impact=impact,
                )
                + numbered("e.patient_id", "e.date DESC, e.event_id")
                + " FROM dq_ev e JOIN outcomes o ON o.patient_id = e.patient_id "
                f"AND o.indicator = {quoted(w.indicator)} LEFT JOIN dq_terms t ON t.code = e.code "
                f"WHERE e.cluster_id IN {in_list(w.clusters)} AND e.date < o.can_dat "
                f"AND e.date >= {minus('o.can_dat', w.within)} AND o.outcome NOT IN ('met', 'out_of_scope') "
                "AND NOT EXISTS (SELECT 1 FROM dq_can_dat_moved m WHERE m.patient_id = e.patient_id) "
            )
        )
    return " UNION ALL ".join(parts) if parts else ""


CHECK = Check(
    "care_before_diagnosis",
    "A review or support record dated before the diagnosis date (CAN_DAT): it does not count",
    "rule",
    build=build,
)
