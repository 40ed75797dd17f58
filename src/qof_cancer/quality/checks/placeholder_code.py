"""A bundled placeholder (example) code where the run uses a national list without it: it does not
count. The impact re-run records the list's code instead.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.codes import PLACEHOLDER_CLUSTER
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import as_text, label, quoted, record_finding


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    detail = (
        f"{label('e.code', 't.term')} || ' on ' || {as_text('e.date')} || ' is a placeholder code for ' || "
        "h.cluster_id || ', not in the national list this run uses: it does not count.'"
    )
    fix = (
        "'Record it with a national ' || h.cluster_id || ' code (for example ' || "
        + label("h.target_code", "xt.term")
        + " || ').'"
    )
    return (
        record_finding(
            "placeholder_code",
            "e",
            detail=detail,
            fix=fix,
            fix_code="h.target_code",
            fix_date="e.date",
        )
        + " FROM dq_ev e JOIN dq_placeholders h ON h.code = e.code "
        "LEFT JOIN dq_terms t ON t.code = e.code LEFT JOIN dq_terms xt ON xt.code = h.target_code "
        f"WHERE e.cluster_id = {quoted(PLACEHOLDER_CLUSTER)}"
    )


CHECK = Check(
    "placeholder_code",
    "A placeholder (example) code not in the national list in use: it does not count",
    "computed",
    build=build,
)
