"""A practice-local code where the indicator's cluster has national codes.

This tool counts it, the national extraction does not: the impact re-run drops it to show the
difference.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, label, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    detail = (
        f"{label('e.code', 't.term')} || ' on ' || {as_text('e.date')} || ' is a practice-local code (from ' || "
        "l.cluster_id || '.local.csv): this tool counts it, but the national QOF extraction reads national "
        "codes only.'"
    )
    fix = (
        "'Record it with a national ' || l.cluster_id || ' code' || COALESCE(' (for example ' || "
        + label("l.example", "xt.term")
        + " || ')', '') || ' and stop using the local code.'"
    )
    return (
        record_finding(
            "local_code",
            "e",
            detail=detail,
            fix=fix,
            drop="TRUE",
        )
        + " FROM dq_ev e JOIN dq_local l ON l.code = e.code AND l.cluster_id = e.cluster_id "
        "LEFT JOIN dq_terms t ON t.code = e.code LEFT JOIN dq_terms xt ON xt.code = l.example"
    )


CHECK = Check(
    "local_code",
    "A practice-local code where a national code exists: the national extraction does not see it",
    "computed",
    build=build,
)
