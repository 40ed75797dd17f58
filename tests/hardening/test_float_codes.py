"""Codes that passed through a float (`254837009.0`) are rejected with a reason, never taken as local codes."""

from __future__ import annotations

import csv
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qof_cancer import api
from qof_cancer.codes.snomed import check_record_code
from tests.helpers import cluster_code, write_inputs
from tests.worklist.conftest import patient


@pytest.mark.parametrize(
    "value", ["254837009.0", "254837009.", "254837009.00", "1.101361000000103e+15", "2.5E8"]
)
def test_a_float_coded_id_is_refused(value):
    assert "stored as a number" in check_record_code(value)


@pytest.mark.parametrize("value", ["1371.", "B1...", "68W2.", "EMISNQCA12", "254837009"])
def test_read_ctv3_and_real_ids_still_pass(value):
    assert check_record_code(value) in (None, check_record_code("254837009"))


def _cancer_patients(n: int):
    return [patient([["CAN_COD", "2023-10-15"]], patient_id=f"f{i}") for i in range(n)]


def test_float_codes_in_a_csv_are_rejected_not_lost(tmp_path):
    ppath, epath = write_inputs(tmp_path, _cancer_patients(3))
    code = cluster_code("CAN_COD")
    text = epath.read_text().replace(f",{code},", f",{code}.0,")
    epath.write_text(text)
    result = api.run(ppath, epath, year="2023-24", as_of=date(2024, 3, 31), today=date(2024, 4, 1))
    rejects = result.rejects.to_pylist()
    assert len(rejects) == 3 and all("stored as a number" in r["reason"] for r in rejects)
    assert result.load.events_read == result.load.events_kept + 3


def test_a_float64_parquet_code_column_is_rejected_not_lost(tmp_path):
    ppath, epath = write_inputs(tmp_path, _cancer_patients(2))
    with epath.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    events = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "patient_id": [r["patient_id"] for r in rows],
                "code": pa.array([float(r["code"]) for r in rows], pa.float64()),
                "date": [date.fromisoformat(r["date"]) for r in rows],
            }
        ),
        events,
    )
    result = api.run(ppath, events, year="2023-24", as_of=date(2024, 3, 31), today=date(2024, 4, 1))
    assert result.rejects.num_rows == 2
    assert {r["reason"] for r in result.rejects.to_pylist()} == {check_record_code("254837009.0")}
