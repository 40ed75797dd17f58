"""The Python API returns what the command line writes; Parquet and CSV inputs give the same outcomes."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest

from qof_cancer import api, run
from qof_cancer.engine.reference import Patient
from qof_cancer.outputs.files import atomic_path
from tests.helpers import as_event, write_inputs

TODAY = date(2026, 6, 1)


@pytest.fixture()
def inputs(tmp_path):
    patients = [
        Patient(
            "a1",
            "A00001",
            date(2000, 1, 1),
            pcn_code="U1",
            events=(as_event(["CAN_COD", "2023-02-01"]), as_event(["MDRV_COD", "2023-06-01"])),
        ),
        Patient(
            "a2", "A00001", date(2000, 1, 1), pcn_code="U1", events=(as_event(["CAN_COD", "2023-05-01"]),)
        ),
        Patient(
            "b1",
            "B00002",
            date(2010, 1, 1),
            pcn_code="U1",
            events=(as_event(["CAN_COD", "2022-07-01"]), as_event(["CANPCAPU_COD", "2023-07-01"])),
        ),
    ]
    return write_inputs(tmp_path, patients)


def test_api_tables_match_the_written_files(tmp_path, inputs):
    result = run(*inputs, year="2023-24", out=tmp_path / "out", today=TODAY)
    with (tmp_path / "out" / "outcomes.csv").open() as fh:
        written = list(csv.DictReader(fh))
    from_api = result.outcomes.to_pylist()
    assert len(written) == len(from_api) == 9
    assert [(r["patient_id"], r["indicator"], r["outcome"], r["rule"]) for r in written] == [
        (r["patient_id"], r["indicator"], r["outcome"], r["rule"]) for r in from_api
    ]
    with (tmp_path / "out" / "summary.csv").open() as fh:
        summary = list(csv.DictReader(fh))
    assert [(r["practice_code"], r["indicator"], r["numerator"]) for r in summary] == [
        (r["practice_code"] or "", r["indicator"], "" if r["numerator"] is None else str(r["numerator"]))
        for r in result.summary_rows()
    ]


def test_parquet_inputs_give_the_same_outcomes(tmp_path, inputs):
    ppath, epath = inputs
    con = duckdb.connect()
    # Typed date columns, as a real Parquet export would have them.
    for src, dates in ((ppath, ("date_of_birth", "registration_start")), (epath, ("date",))):
        replace = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in dates)
        con.execute(
            f"COPY (SELECT * REPLACE ({replace}) FROM read_csv('{src}', all_varchar = true)) "
            f"TO '{src.with_suffix('.parquet')}' (FORMAT parquet)"
        )
    from_csv = api.run(ppath, epath, year="2023-24", today=TODAY).outcomes.to_pylist()
    from_parquet = api.run(
        ppath.with_suffix(".parquet"), epath.with_suffix(".parquet"), year="2023-24", today=TODAY
    ).outcomes.to_pylist()
    assert from_parquet == from_csv


def test_parquet_row_numbers_are_record_numbers(tmp_path, inputs):
    ppath, epath = inputs
    con = duckdb.connect()
    bad = tmp_path / "events_bad.parquet"
    con.execute(
        f"COPY (SELECT * FROM read_csv('{epath}', all_varchar=true) UNION ALL "
        f"SELECT 'zz', '720006006', '2023-01-01', NULL) TO '{bad}' (FORMAT parquet)"
    )
    result = api.run(ppath, bad, year="2023-24", today=TODAY)
    rejects = result.rejects.to_pylist()
    assert [(r["row"], r["column"], r["reason"]) for r in rejects] == [
        (6, "patient_id", "unknown patient: not in the patients file")
    ]


def test_atomic_path_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "summary.csv"
    target.write_text("previous complete file\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "previous complete file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]
