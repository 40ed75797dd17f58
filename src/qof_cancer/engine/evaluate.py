"""Run the compiled rules on a backend (DuckDB or Spark), over the tables `inputs.load_inputs` created."""

from __future__ import annotations

import pyarrow as pa

from qof_cancer.codes import ClusterSet
from qof_cancer.engine.compiler import compile_run
from qof_cancer.inputs.backends import Backend
from qof_cancer.model.ruleset import RuleSet
from qof_cancer.model.years import Period

__all__ = ["load_cluster_codes", "evaluate", "outcome_counts"]


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


def evaluate(
    backend: Backend, ruleset: RuleSet, period: Period, table: str = "outcomes"
) -> dict[str, tuple[str | None, int]]:
    """Create table `table` with one row per register patient per indicator; return list sizes by practice."""
    compiled = compile_run(ruleset, period)
    backend.materialize(table, compiled.outcomes)
    return {row[0]: (row[1], int(row[2])) for row in backend.rows(compiled.list_sizes)}


def outcome_counts(
    backend: Backend, table: str = "outcomes", by: str = "outcome"
) -> list[tuple[str, str, str, int]]:
    """(practice_code, indicator, outcome, patients) for the summary; with by="rule", per deciding rule."""
    if by not in ("outcome", "rule"):
        raise ValueError(f"count by outcome or rule, not {by!r}")
    return [
        (r[0], r[1], r[2], int(r[3]))
        for r in backend.rows(
            f"SELECT practice_code, indicator, {by}, count(*) FROM {table} "
            f"GROUP BY practice_code, indicator, {by} ORDER BY practice_code, indicator, {by}"
        )
    ]
