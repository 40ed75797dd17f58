"""The latest cancer diagnosis code is dated before the register began: the patient is not on it.

Right if the cancer was diagnosed then; the impact is stated from the rules.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import (
    as_text,
    date_literal,
    first_picked,
    label,
    numbered,
    quoted,
    record_finding,
)


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    floor = reading.register_floor.isoformat()
    detail = (
        f"{label('x.code', 't.term')} || ' on ' || {as_text('x.date')} || ' is the latest cancer diagnosis code, "
        f"before the register began on {floor}: the patient is not on the cancer register.'"
    )
    fix = quoted(
        f"Right if the cancer was diagnosed before {floor}. If it was diagnosed, or came back, on or after "
        f"{floor}, correct the date or record the later diagnosis."
    )
    return first_picked(
        record_finding(
            "diagnosis_only_before_2003",
            "x",
            detail=detail,
            fix=fix,
            rule_impact=quoted(
                f"{reading.register_id}: not on the register (right if diagnosed before {floor})"
            ),
        )
        + numbered("x.patient_id", "x.event_id")
        + " FROM dq_dx x JOIN dq_cd cd ON cd.patient_id = x.patient_id AND x.date = cd.can_dat "
        "LEFT JOIN dq_terms t ON t.code = x.code "
        f"WHERE x.counts AND cd.can_dat < {date_literal(reading.register_floor)} "
    )


CHECK = Check(
    "diagnosis_only_before_2003",
    "Cancer coded only before 2003-04-01: not on the register",
    "rule",
    build=build,
)
