"""Data quality on Spark: the checks run through a SparkBackend give every quality spec case (each check,
with its near misses) its expected checks, and the same data_quality and data_quality_summary tables as
DuckDB, row for row.

The pipeline here is the run's own steps (cluster codes, load, evaluate, then the feature) on a backend
the test opens, so that one Spark session serves every case.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from qof_cancer.codes import load_clusters
from qof_cancer.engine.context import RunContext
from qof_cancer.engine.run import Run
from qof_cancer.engine.tables import RunTables
from qof_cancer.inputs.backends import Backend, DuckDBBackend, SparkBackend
from qof_cancer.model import load_ruleset
from qof_cancer.quality import FEATURE
from tests.helpers import write_inputs
from tests.spec.test_quality_cases import CASES, TODAY, _group_key, _patient, _write_codes


def _quality(backend: Backend, ppath: Path, epath: Path, year: str, as_of: date | None, codes) -> dict:
    ruleset = load_ruleset(today=TODAY)
    period = ruleset.period(year, as_of, TODAY)
    clusters = load_clusters(codes)
    store = Run.open(backend, clusters, ppath, epath, TODAY, FEATURE.extra_clusters())
    store.evaluate(ruleset, period)
    context = RunContext(backend, ruleset, period, clusters, TODAY, [], run=store)
    # The feature hands back tables kept in the store; read them as a run's result does.
    tables = RunTables(backend.arrow)
    tables.update(FEATURE.compute(context))
    return {name: tables[name].to_pylist() for name in tables}


@pytest.fixture(scope="module")
def spark():
    backend = SparkBackend.start()
    yield backend
    backend.close()


def _on_both(spark: SparkBackend, *args) -> tuple[dict, dict]:
    duck = DuckDBBackend(duckdb.connect())
    try:
        on_duckdb = _quality(duck, *args)
    finally:
        duck.close()
    return on_duckdb, _quality(spark, *args)


def test_quality_spec_cases_on_spark(spark, tmp_path):
    groups: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for i, case in enumerate(CASES):
        groups[_group_key(case)].append((i, case))
    for n, ((year, as_of, _, _), members) in enumerate(sorted(groups.items(), key=str)):
        folder = tmp_path / f"g{n}"
        ppath, epath = write_inputs(folder, [_patient(i, c) for i, c in members])
        on_duckdb, on_spark = _on_both(spark, ppath, epath, year, as_of, _write_codes(folder, members[0][1]))
        # Spark against each case's own expectation, then against DuckDB row for row.
        found = defaultdict(set)
        for row in on_spark["data_quality"]:
            found[row["patient_id"]].add(row["check"])
        for i, case in members:
            assert found[f"dq{i:03d}"] == set(case["expect"]), case["title"]
        assert on_spark == on_duckdb, (year, as_of)
