"""Input checks agree on Spark for what the DuckDB reader handles its own way: blank lines in a CSV (the
rows rejects.csv names), and Parquet columns the file already types (dates, numbers, a code column stored
as DATE and DOUBLE)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from qof_cancer import api


def _both(ppath, epath):
    kwargs = {"year": "2023-24", "today": date(2026, 6, 1)}
    return api.run(ppath, epath, **kwargs), api.run(ppath, epath, engine="spark", **kwargs)


def test_blank_lines_give_the_same_rows_on_spark(tmp_path):
    (tmp_path / "patients.csv").write_text(
        "patient_id,practice_code,date_of_birth,sex,registration_start\n"
        "p1,A1,1950-01-01,F,2000-01-01\n\n\np2,A1,1950-02-30,F,2000-01-01\n"
    )
    (tmp_path / "events.csv").write_text(
        "patient_id,code,date,episode\n\np1,720006006,2023-05-01,\n\n\np1,720006006,2023-13-01,\n"
    )
    duck, spark = _both(tmp_path / "patients.csv", tmp_path / "events.csv")
    rows = {(r["column"], r["row"]) for r in duck.rejects.to_pylist()}
    assert rows == {("date_of_birth", 5), ("date", 6)}  # the rows of the file, blank rows counted
    assert spark.rejects.to_pylist() == duck.rejects.to_pylist()


def test_typed_parquet_columns_give_the_same_rejects_on_spark(tmp_path):
    pq.write_table(
        pa.table(
            {
                "patient_id": ["p1", "p2"],
                "practice_code": ["A1", "A1"],
                "date_of_birth": pa.array([date(1950, 1, 1), date(2099, 1, 1)], pa.date32()),
                "sex": ["F", "M"],
                "registration_start": pa.array([date(2000, 1, 1), date(2000, 1, 1)], pa.date32()),
            }
        ),
        tmp_path / "patients.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "patient_id": ["p1", "p1", "p9", "p1", "p2"],
                "code": ["720006006", "720006007", "720006006", "720006006", "720006006"],
                "date": pa.array(
                    [
                        date(2023, 5, 1),
                        date(2099, 5, 1),
                        date(2023, 5, 1),
                        date(1940, 5, 1),
                        date(2023, 5, 1),
                    ],
                    pa.date32(),
                ),
                "value": pa.array([1.5, None, 2.0, None, None], pa.float64()),
            }
        ),
        tmp_path / "events.parquet",
    )
    duck, spark = _both(tmp_path / "patients.parquet", tmp_path / "events.parquet")
    values = {(r["row"], r["column"]): r["value"] for r in duck.rejects.to_pylist()}
    assert values[(2, "date_of_birth")] == "2099-01-01"
    assert values[(2, "date")] == "2099-05-01"  # a typed date is written as the file's date
    assert values[(2, "code")] == "720006007"
    assert (1, "value") not in values  # a DOUBLE is a number
    assert spark.rejects.to_pylist() == duck.rejects.to_pylist()
