"""The code lists as a table of the run's store; the rules themselves are evaluated by `engine.run.Run`."""

from __future__ import annotations

import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.inputs.backends import Backend

__all__ = ["load_cluster_codes"]


def load_cluster_codes(
    backend: Backend, clusters: ClusterSet, extra: dict[str, frozenset[str]] | None = None
) -> None:
    """Create table cluster_codes(cluster_id, code) from the run's clusters (and any extra lists)."""
    rows = sorted(
        set(clusters.rows()) | {(cid, code) for cid, codes in (extra or {}).items() for code in codes}
    )
    table = pa.table(
        {"cluster_id": [r[0] for r in rows], "code": [r[1] for r in rows]},
        schema=pa.schema([("cluster_id", pa.string()), ("code", pa.string())]),
    )
    backend.register("cluster_codes", table)
