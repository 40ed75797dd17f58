"""The pass over the events tests the codes that keep their rows as a list of constants, or, for more
than `LISTED_CODES` of them, by a join to `event_codes`: both keep and flag the same rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qof_cancer.codes import load_clusters
from qof_cancer.engine.evaluate import load_cluster_codes
from qof_cancer.inputs import validate
from qof_cancer.inputs.backends import DuckDBBackend

TODAY = date(2024, 6, 1)
CAN_COD = sorted(load_clusters().clusters["CAN_COD"].codes)[0]
PLAIN = "22298006"  # a well-formed code no list of the run holds


def _write(folder, codes: pa.Array):
    n = len(codes)
    patients = pa.table(
        {
            "patient_id": ["p1", "p2"],
            "practice_code": ["A00001", "A00001"],
            "date_of_birth": ["1950-01-01", "1960-01-01"],
            "sex": ["F", "M"],
            "registration_start": ["2000-01-01", "2000-01-01"],
        }
    )
    events = pa.table(
        {
            "patient_id": [["p1", "p2", "nobody", "p1"][i % 4] for i in range(n)],
            "code": codes,
            "date": [date(2023, 5, 1) if i % 7 else date(2030, 1, 1) for i in range(n)],
            "episode": [None if i % 3 else "first" for i in range(n)],
        }
    )
    pq.write_table(patients, folder / "patients.parquet")
    pq.write_table(events, folder / "events.parquet")


def _load(folder, listed: int, monkeypatch) -> dict[str, list]:
    monkeypatch.setattr(validate, "LISTED_CODES", listed)
    backend = DuckDBBackend(duckdb.connect())
    load_cluster_codes(backend, load_clusters())
    validate.load_inputs(backend, folder / "patients.parquet", folder / "events.parquet", TODAY)
    out = {
        t: backend.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in ("events", "rejects", "stg_events_raw")
    }
    # rows that nothing needs: a plain code, a known patient, a date in range, no episode
    out["plain_kept"] = backend.rows(
        f"SELECT count(*) FROM stg_events_raw WHERE CAST(code AS VARCHAR) = '{PLAIN}' "
        "AND patient_id <> 'nobody' AND date = DATE '2023-05-01' AND episode IS NULL"
    )[0][0]
    out["listed"] = validate._kept_codes(backend) is not None  # which test the pass used
    return out


@pytest.mark.parametrize(
    ("codes", "kept"),
    [
        (pa.array([CAN_COD, "  " + CAN_COD, PLAIN, "1234567", "not a code", None, "", CAN_COD] * 5), True),
        (pa.array([int(CAN_COD), int(PLAIN), 1234567, None, 12] * 5, pa.int64()), True),
        (pa.array([PLAIN, "1234567"] * 5), False),  # no code the run uses
    ],
    ids=["text", "numbers", "none-used"],
)
def test_listed_codes_keep_and_flag_what_the_join_does(tmp_path, monkeypatch, codes, kept):
    _write(tmp_path, codes)
    listed = _load(tmp_path, validate.LISTED_CODES, monkeypatch)
    joined = _load(tmp_path, 0, monkeypatch)
    assert listed.pop("listed") and not joined.pop("listed")
    assert listed == joined
    assert bool(listed["events"]) == kept and listed["rejects"] and listed["stg_events_raw"]
    assert listed["plain_kept"] == 0  # passed over, by either test
