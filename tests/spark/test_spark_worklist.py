"""The worklist on Spark: the same files as DuckDB's on a small synthetic PCN, and a feature Spark cannot
run is named in the terminal's warnings and in run.json, never skipped in silence."""

from __future__ import annotations

import json

from qof_cancer import api
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, write_synthetic

WORKLIST_FILES = ("worklist.csv", "forecast.csv", "pca_monitoring.csv")


def test_spark_writes_the_same_worklist_files_as_duckdb(tmp_path):
    write_synthetic(tmp_path / "pcn", "parquet", 2, 1500, 7, DEFAULT_AS_OF, SynthParams(), planted=False)
    inputs = (tmp_path / "pcn" / "patients.parquet", tmp_path / "pcn" / "events.parquet")
    kwargs = {"as_of": DEFAULT_AS_OF, "today": DEFAULT_AS_OF}
    duck = api.run(*inputs, out=tmp_path / "duckdb", **kwargs)
    spark = api.run(*inputs, out=tmp_path / "spark", engine="spark", **kwargs)

    assert duck.tables["worklist"].num_rows > 0  # something to compare
    for name in ("outcomes.csv", "summary.csv", *WORKLIST_FILES):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "duckdb" / name).read_bytes(), name

    # Every feature DuckDB computed is either in Spark's tables, equal, or named in a warning.
    warnings = json.loads((tmp_path / "spark" / "run.json").read_text())["warnings"]
    assert warnings[: len(duck.clusters.warnings())] == duck.clusters.warnings()
    for name, table in duck.tables.items():
        if name in spark.tables:
            assert spark.tables[name].to_pylist() == table.to_pylist(), name
        else:
            assert spark.warnings and all("--engine spark" in w for w in spark.warnings), name
    assert spark.warnings == warnings[len(duck.clusters.warnings()) :]
