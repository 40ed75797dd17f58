"""Review, support, PCA or invitation records with no cancer diagnosis code of any kind.

The latest such record per patient; the impact is stated from the rules.
"""

from __future__ import annotations

from qof_cancer.quality.checks.base import Check
from qof_cancer.quality.codes import CANCERLIKE_CLUSTER
from qof_cancer.quality.reading import RuleReading
from qof_cancer.quality.sql_text import (
    as_text,
    first_picked,
    in_list,
    label,
    numbered,
    quoted,
    record_finding,
)


def build(reading: RuleReading) -> str:
    """The finding rows (see sql_text.FINDING_COLUMNS)."""
    clusters = sorted(
        {c for w in reading.care for c in w.clusters}
        | set(reading.pca_clusters)
        | set(reading.invite_clusters)
    )
    detail = (
        f"{label('e.code', 't.term')} || ' (' || e.cluster_id || ') on ' || {as_text('e.date')} || ', but no "
        "cancer diagnosis code (CAN_COD) anywhere in the record: the patient is not on the register, so "
        "it counts for nothing.'"
    )
    fix = quoted(
        "If the patient has cancer, record the diagnosis with a CAN_COD code dated when it was diagnosed. "
        "If not, the record belongs to another patient: move it."
    )
    ratio = " and ".join(reading.ratio_ids)
    return first_picked(
        record_finding(
            "care_without_diagnosis",
            "e",
            detail=detail,
            fix=fix,
            rule_impact=quoted(
                f"{reading.register_id}: not on the register; {ratio} do not count the patient"
            ),
        )
        + numbered("e.patient_id", "e.date DESC, e.event_id")
        + " FROM dq_ev e LEFT JOIN dq_terms t ON t.code = e.code "
        f"WHERE e.cluster_id IN {in_list(clusters)} "
        "AND NOT EXISTS (SELECT 1 FROM dq_dx x WHERE x.patient_id = e.patient_id) "
        f"AND NOT EXISTS (SELECT 1 FROM dq_ev c WHERE c.patient_id = e.patient_id AND c.cluster_id = "
        f"{quoted(CANCERLIKE_CLUSTER)}) "
    )


CHECK = Check(
    "care_without_diagnosis",
    "Cancer care review, support or PCA codes but no cancer diagnosis code at all",
    "rule",
    build=build,
)
