"""A review or support record dated just after its window closed (within `just_after_days`).

Usually it was late; it may have been entered late. The impact is stated from the rules.
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
    numbered,
    plus,
    quoted,
    record_finding,
)


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    parts = []
    grace = reading.settings.just_after_days
    for w in reading.care:
        due = plus("o.can_dat", w.within)
        detail = (
            f"{label('e.code', 't.term')} || ' on ' || {as_text('e.date')} || ' is ' || "
            + days_text(f"date_diff('day', {due}, e.date)")
            + f" || ' after its window ({w.within} from the diagnosis) closed on ' || "
            + as_text(due)
            + f" || ' ({w.indicator} counts it on or before that day).'"
        )
        fix = quoted(
            "Nothing to correct if the date is right: it was late. If it took place in time and was entered "
            "late, correct its date to the day it took place."
        )
        impact = f"'{w.indicator}: not_met; met had it been on or before ' || " + as_text(due)
        parts.append(
            first_picked(
                record_finding(
                    "care_just_after_window",
                    "e",
                    detail=detail,
                    fix=fix,
                    rule_impact=impact,
                )
                + numbered("e.patient_id", "e.date, e.event_id")
                + " FROM dq_ev e JOIN outcomes o ON o.patient_id = e.patient_id "
                f"AND o.indicator = {quoted(w.indicator)} LEFT JOIN dq_terms t ON t.code = e.code "
                f"WHERE e.cluster_id IN {in_list(w.clusters)} AND o.outcome = 'not_met' "
                f"AND e.date > {due} AND e.date <= {due} + {int(grace)} "
            )
        )
    return " UNION ALL ".join(parts) if parts else ""


CHECK = Check(
    "care_just_after_window",
    "A review or support record dated just after its window closed",
    "rule",
    build=build,
)
