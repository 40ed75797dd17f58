"""The Spark session's settings (QOF_SPARK_CONF) and the joins its small tables get."""

from __future__ import annotations

import pyarrow as pa
import pytest

from qof_cancer.errors import UserError
from qof_cancer.inputs.backends import SparkBackend, spark_conf


def test_spark_conf_reads_pairs_and_names_a_bad_one():
    assert spark_conf(" spark.sql.shuffle.partitions=8 ;spark.sql.adaptive.enabled = false;") == {
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.adaptive.enabled": "false",
    }
    assert spark_conf("") == {}
    for bad in ("shuffle.partitions=8", "spark.sql.shuffle.partitions", "spark.sql.shuffle.partitions="):
        with pytest.raises(UserError, match=f"QOF_SPARK_CONF: '{bad}' is not spark.key=value"):
            spark_conf(f"spark.sql.adaptive.enabled=true;{bad}")


@pytest.fixture
def spark(monkeypatch):
    # Broadcasting by size is off, so that a join broadcasts only what is marked small.
    monkeypatch.setenv(
        "QOF_SPARK_CONF",
        "spark.sql.shuffle.partitions=3;spark.sql.adaptive.enabled=false;spark.sql.autoBroadcastJoinThreshold=-1",
    )
    backend = SparkBackend.start()
    yield backend
    backend.close()


def _plan(backend: SparkBackend, sql: str) -> str:
    return backend.spark.sql(sql)._jdf.queryExecution().executedPlan().toString()


def test_the_settings_reach_the_session(spark):
    assert spark.spark.conf.get("spark.sql.shuffle.partitions") == "3"
    assert spark.spark.conf.get("spark.sql.adaptive.enabled") == "false"


def test_tables_marked_small_and_registered_tables_are_broadcast(spark):
    spark.spark.range(5000).createOrReplaceTempView("numbers")
    spark.materialize("big", "SELECT CAST(id AS VARCHAR) AS code, id FROM numbers")
    spark.materialize("codes", "SELECT CAST(id AS VARCHAR) AS code FROM numbers WHERE id < 100", small=True)
    spark.materialize("codes_unmarked", "SELECT CAST(id AS VARCHAR) AS code FROM numbers WHERE id < 100")
    spark.register("listed", pa.table({"code": [str(i) for i in range(100)]}))
    for small in ("codes", "listed"):
        plan = _plan(spark, f"SELECT b.id FROM big AS b LEFT JOIN {small} AS c ON c.code = b.code")
        assert "BroadcastHashJoin" in plan and "SortMergeJoin" not in plan, plan
    plan = _plan(spark, "SELECT b.id FROM big AS b LEFT JOIN codes_unmarked AS c ON c.code = b.code")
    assert "SortMergeJoin" in plan, plan
    # The mark changes the plan only: the rows are those of the unmarked table.
    assert sorted(spark.rows("SELECT b.id FROM big AS b JOIN codes AS c ON c.code = b.code")) == sorted(
        spark.rows("SELECT b.id FROM big AS b JOIN codes_unmarked AS c ON c.code = b.code")
    )
