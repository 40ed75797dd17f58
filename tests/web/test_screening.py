"""The dashboard's screening is computed in the run's store: the same tables as `qof-cancer screening` on
the same files, without the files (they are read and checked once, by the run), no second report of
the rows the run rejected, and no file of the run changed by keeping the screening records."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from qof_cancer import api
from qof_cancer.cli.demo import EXAMPLE_SCHEME
from qof_cancer.screening import run_screening
from qof_cancer.synth import DEFAULT_AS_OF
from tests.web.conftest import YEAR, make_dashboard


def _as_csv_with_a_bad_row(source: Path, target: Path, bad_row: dict[str, str] | None = None) -> Path:
    """The Parquet file as CSV, with `bad_row` (column -> value, the rest empty) added at the end."""
    duckdb.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{target}' (HEADER)")
    if bad_row is not None:
        header = target.read_text(encoding="utf-8").splitlines()[0].split(",")
        with target.open("a", encoding="utf-8") as fh:
            fh.write(",".join(bad_row.get(column.strip('"'), "") for column in header) + "\n")
    return target


def _wait(dash, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while dash.screening_status.state == "running":
        if time.time() > deadline:
            pytest.fail("the screening job did not finish")
        time.sleep(0.1)


def test_screening_reads_the_runs_store_not_the_files(tmp_path, pcn_files):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    patients = _as_csv_with_a_bad_row(pcn_files[0], inputs / "patients.csv")
    first_patient = duckdb.execute(f"SELECT min(patient_id) FROM read_parquet('{pcn_files[1]}')").fetchone()[
        0
    ]
    # a date that does not exist: the run rejects the row (and reports it in its own rejects.csv)
    bad = {"patient_id": first_patient, "code": "171149006", "date": "2024-02-30"}
    events = _as_csv_with_a_bad_row(pcn_files[1], inputs / "events.csv", bad)
    dash = make_dashboard(tmp_path, patients, events)
    try:
        as_of = min(dash.result.period.ach, DEFAULT_AS_OF)
        alone = run_screening(patients, events, as_of=as_of, today=DEFAULT_AS_OF)
        assert "rejects" in alone.tables and alone.tables["rejects"].num_rows == 1
        assert (tmp_path / "out" / "rejects.csv").read_text().count("2024-02-30") == 1

        # Keeping the screening lists' records in the store changes no file of the run.
        plain = api.run(
            patients,
            events,
            year=YEAR,
            as_of=DEFAULT_AS_OF,
            today=DEFAULT_AS_OF,
            scheme=EXAMPLE_SCHEME,
            out=tmp_path / "plain",
        )
        written = sorted(p.name for p in (tmp_path / "out").glob("*.csv"))
        assert written == sorted(p.name for p in plain.files if p.suffix == ".csv")
        assert {"outcomes.csv", "worklist.csv", "data_quality.csv", "rejects.csv"} <= set(written)
        for name in written:
            assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name

        for path in (patients, events):
            path.unlink()  # the screening job must not need them
        assert dash.start_screening()
        _wait(dash)
        assert dash.screening_status.state == "done", dash.screening_status.error
        in_store = dash.screening

        assert "rejects" not in in_store.tables  # reported once, by the run
        assert set(in_store.tables) == set(alone.tables) - {"rejects"}
        for name, table in alone.tables.items():
            if name != "rejects":
                assert in_store.tables[name].equals(table), name
        assert in_store.tables["coverage"].num_rows > 0
        assert in_store.cohort.equals(alone.cohort)
        assert in_store.warnings == alone.warnings
        assert in_store.phone_numbers == alone.phone_numbers
    finally:
        dash.close()


def test_a_patients_page_shows_the_runs_records_not_those_kept_for_screening(dashboard):
    """The store keeps the screening lists' records for the screening page; a patient's page lists the
    records of the rules' and features' lists only, as before the store kept them."""
    from fastapi.testclient import TestClient

    from qof_cancer.web import create_app

    screening_only = dashboard.screening_cluster_ids()
    assert "SMEAR_COD" in screening_only and "CAN_COD" not in screening_only
    found = dashboard.query(
        "SELECT o.patient_id, e.code FROM outcomes o JOIN events e USING (patient_id) "
        "JOIN cluster_codes c ON c.code = e.code WHERE c.cluster_id = 'SMEAR_COD' "
        "ORDER BY o.patient_id, e.code LIMIT 1"
    )
    assert found, "a register patient with a cervical screening record in the store"
    patient, smear = found[0]["patient_id"], found[0]["code"]
    in_store = dashboard.query("SELECT DISTINCT code FROM events WHERE patient_id = ?", [patient])
    assert smear in {r["code"] for r in in_store}
    rows = TestClient(create_app(dashboard), base_url="http://127.0.0.1").get(f"/api/patient/{patient}")
    codes = {r["code"] for r in rows.json()["timeline"]["rows"]}
    assert smear not in codes
    register = dashboard.result.clusters[dashboard.result.ruleset.register_cluster].codes
    assert codes & register  # the register patient's diagnosis is there
