"""The same rules on Spark: every spec case gives the same outcomes, rejects and summary as DuckDB through
the whole run (files read by Spark). Generated patients on Spark: tests/generative/test_engines_agree.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from qof_cancer import api
from tests.helpers import outcome_map, write_inputs
from tests.spec.test_cancer_cases import CASES, _expected, _group_key, _patient, case_settings


def _both(ppath, epath, **kwargs):
    duck = api.run(ppath, epath, **kwargs)
    spark = api.run(ppath, epath, engine="spark", **kwargs)
    return duck, spark


def test_spec_cases_agree_on_spark(tmp_path):
    """The whole run through files on Spark gives DuckDB's outcomes and summary, on the largest group of
    spec cases (every case runs on Spark against its own expectation in tests/spec, through the engine
    fixture, without files)."""
    groups = defaultdict(list)
    for i, case in enumerate(CASES):
        if not case.get("codes"):
            groups[_group_key(case)].append((i, case))
    key, members = max(groups.items(), key=lambda kv: len(kv[1]))
    year, as_of = key[0], key[1]
    ppath, epath = write_inputs(tmp_path / "g", [_patient(i, c) for i, c in members])
    duck, spark = _both(
        ppath, epath, year=year, as_of=as_of, today=date(2026, 6, 1), settings=case_settings(key)
    )
    got = outcome_map(spark.outcomes.to_pylist())
    for i, case in members:
        for indicator, expected in _expected(case).items():
            if expected is None:
                assert not [k for k in got if k[0] == f"case{i:03d}"], case["title"]
            else:
                assert got.get((f"case{i:03d}", indicator)) == expected, (case["title"], indicator)
    assert spark.outcomes.to_pylist() == duck.outcomes.to_pylist(), key
    assert spark.summary_rows() == duck.summary_rows(), key


def test_rejects_agree_on_spark(tmp_path):
    (tmp_path / "patients.csv").write_text(
        "patient_id,practice_code,date_of_birth,sex,registration_start,nhs_number\n"
        "p1,A1,1950-01-01,F,2000-01-01,9434765919\n"
        "p2,A1,1950-02-30,F,2000-01-01,\n"
        "p3,A1,1950-01-01,X,2000-01-01,9434765918\n"
        "p4,A1,1950-01-01,F,2000-01-01,\n"
        "p4,A1,1951-01-01,M,2000-01-01,\n"
    )
    (tmp_path / "events.csv").write_text(
        "patient_id,code,date,episode\n"
        "p1,720006006,2023-05-01,\n"
        "p1,720006007,2023-05-01,\n"
        "p9,720006006,2023-05-01,\n"
        "p1,720006006,2099-05-01,\n"
        "p1,720006006,1940-05-01,\n"
        "p1,AB 12,2023-05-01,sometimes\n"
        "p4,720006006,2023-05-01,\n"
    )
    duck, spark = _both(
        tmp_path / "patients.csv", tmp_path / "events.csv", year="2023-24", today=date(2026, 6, 1)
    )
    assert duck.rejects.num_rows >= 10
    assert spark.rejects.to_pylist() == duck.rejects.to_pylist()
    assert (spark.load.patients_kept, spark.load.events_kept) == (
        duck.load.patients_kept,
        duck.load.events_kept,
    )


def test_parquet_folder_on_spark(tmp_path):
    """Spark reads Parquet as well as CSV; row references are record numbers."""
    import duckdb

    from tests.spec.test_cancer_cases import CASES as cases

    ppath, epath = write_inputs(tmp_path, [_patient(i, c) for i, c in enumerate(cases[:8])])
    con = duckdb.connect()
    for src, dates in ((ppath, ("date_of_birth", "registration_start")), (epath, ("date",))):
        replace = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in dates)
        con.execute(
            f"COPY (SELECT * REPLACE ({replace}) FROM read_csv('{src}', all_varchar = true)) "
            f"TO '{src.with_suffix('.parquet')}' (FORMAT parquet)"
        )
    duck, spark = _both(
        ppath.with_suffix(".parquet"), epath.with_suffix(".parquet"), year="2023-24", today=date(2026, 6, 1)
    )
    assert spark.outcomes.to_pylist() == duck.outcomes.to_pylist()
    assert spark.outcomes.num_rows > 0


@pytest.mark.parametrize("engine", ["sparkle"])
def test_unknown_engine_is_a_user_error(tmp_path, engine):
    from qof_cancer.errors import UserError

    ppath, epath = write_inputs(tmp_path, [_patient(0, CASES[0])])
    with pytest.raises(UserError, match="--engine 'sparkle': choose duckdb, spark or postgres"):
        api.run(ppath, epath, year="2023-24", engine=engine)
