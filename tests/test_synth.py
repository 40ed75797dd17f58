"""The synthetic data generator: contract, determinism, calibration and planted faults.

Calibration and fault shares are measured from the output tables with SQL written here, not
with the generator's own code, so a change that breaks the figures fails these tests.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qof_cancer.cli import main
from qof_cancer.codes import BUNDLED_DIR
from qof_cancer.synth import DEFAULT_AS_OF, SynthParams, generate, generate_with_planted, write_synthetic
from qof_cancer.synth.params import MOBILE_CATEGORIES
from qof_cancer.synth.vocab import DATA_DIR

AS_OF = DEFAULT_AS_OF
PPSD = date(2025, 4, 1)
CONTRACT_PATIENT_COLUMNS = [
    "patient_id", "practice_code", "date_of_birth", "sex", "registration_start", "registration_end",
    "date_of_death", "nhs_number", "mobile_phone", "home_phone", "email", "lsoa_code", "imd_quintile",
    "ethnicity", "main_language", "interpreter_needed", "pcn_code",
]  # fmt: skip
CONTRACT_EVENT_COLUMNS = ["patient_id", "code", "date", "episode", "value", "unit"]
EPISODES = {"first", "new", "review", "ended", "changed", "evolved", "flare-up"}


def _codes(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["code"]: row.get("term", "") for row in csv.DictReader(fh)}


CAN_COD = _codes(BUNDLED_DIR / "CAN_COD.csv")


@pytest.fixture(scope="module")
def data():
    """Six practices of 8,000 rows: enough for shares to settle, fast enough for CI."""
    return generate_with_planted(6, 8000, seed=11)


@pytest.fixture(scope="module")
def db(data):
    con = duckdb.connect()
    con.register("patients", data.patients)
    con.register("events", data.events)
    con.register("planted", data.planted)
    con.execute("CREATE TABLE can_cod AS SELECT unnest(?) AS code", [list(CAN_COD)])
    con.execute(
        """CREATE VIEW list AS SELECT * FROM patients WHERE registration_start <= $as_of
           AND (registration_end IS NULL OR registration_end > $as_of)
           AND (date_of_death IS NULL OR date_of_death > $as_of)""".replace("$as_of", f"DATE '{AS_OF}'")
    )
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    return con.execute(sql).fetchone()[0]


# --- the contract ---------------------------------------------------------------------------


def test_tables_have_the_contract_columns_and_types(data):
    assert data.patients.column_names == CONTRACT_PATIENT_COLUMNS
    assert data.events.column_names == CONTRACT_EVENT_COLUMNS
    for name in ("date_of_birth", "registration_start", "registration_end", "date_of_death"):
        assert data.patients.schema.field(name).type == pa.date32()
    assert data.events.schema.field("date").type == pa.date32()
    assert data.events.schema.field("value").type == pa.float64()
    assert data.patients.schema.field("interpreter_needed").type == pa.bool_()
    assert pa.types.is_integer(data.patients.schema.field("imd_quintile").type)


def test_rows_respect_the_contract(db):
    assert _one(db, "SELECT count(*) - count(DISTINCT patient_id) FROM patients") == 0
    assert _one(db, "SELECT count(*) FROM patients WHERE sex NOT IN ('F','M','I','U')") == 0
    assert _one(db, "SELECT count(*) FROM patients WHERE imd_quintile NOT BETWEEN 1 AND 5") == 0
    assert _one(db, f"SELECT count(*) FROM patients WHERE registration_start > DATE '{AS_OF}'") == 0
    assert _one(db, "SELECT count(*) FROM patients WHERE registration_start < date_of_birth") == 0
    assert _one(db, "SELECT count(*) FROM events e ANTI JOIN patients p USING (patient_id)") == 0
    # Nothing before birth, in the future, or after death or leaving.
    late_or_early = f"""SELECT count(*) FROM events e JOIN patients p USING (patient_id)
        WHERE e.date < p.date_of_birth OR e.date > DATE '{AS_OF}' OR e.date > p.date_of_death
        OR e.date > p.registration_end"""
    assert _one(db, late_or_early) == 0
    episodes = {
        r[0] for r in db.execute("SELECT DISTINCT episode FROM events WHERE episode IS NOT NULL").fetchall()
    }
    assert episodes and episodes <= EPISODES
    codes = [r[0] for r in db.execute("SELECT DISTINCT code FROM events").fetchall()]
    assert all(re.fullmatch(r"\d{6,18}", c) or c.startswith("LOCAL-") for c in codes)


def test_every_code_written_comes_from_a_sourced_list(db):
    """No invented codes: each is in a bundled cluster, the synth data files or the screening lists."""
    known = set()
    for path in [
        *BUNDLED_DIR.glob("*_COD.csv"),
        *(DATA_DIR / "screening").glob("*.csv"),
        DATA_DIR / "codes.csv",
    ]:
        known |= set(_codes(path))
    known |= set(_codes(DATA_DIR / "cancer_sites.csv"))
    written = {r[0] for r in db.execute("SELECT DISTINCT code FROM events").fetchall()}
    assert written <= known, sorted(written - known)


def test_trap_codes_are_outside_or_inside_can_cod_as_documented():
    groups: dict[str, list[str]] = {}
    with (DATA_DIR / "codes.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["group"], []).append(row["code"])
    assert {"254701007", "1338007", "35917007"} <= set(
        groups["nmsc"] + groups["nmsc_morphology"] + groups["morphology"]
    )
    for group in ("nmsc", "nmsc_morphology", "morphology", "learning_disability", "smi", "vital"):
        assert not set(groups[group]) & set(CAN_COD), group
    for code in groups["history_of"]:
        assert CAN_COD[code].startswith("History of"), code
    assert set(_codes(DATA_DIR / "cancer_sites.csv")) <= set(CAN_COD)


def _nhs_number_ok(number: str) -> bool:
    """Written from the NHS Data Dictionary rule, independently of the generator."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(number[9])


def test_nhs_numbers_are_valid_unique_and_in_the_test_range(data):
    numbers = data.patients.column("nhs_number").to_pylist()
    assert None not in numbers
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("999") and _nhs_number_ok(n) for n in numbers)
    assert _nhs_number_ok("9434765919") and not _nhs_number_ok("9434765918")  # the Data Dictionary example


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_the_same_tables_and_another_seed_does_not():
    first, again, other = generate(2, 1500, seed=3), generate(2, 1500, seed=3), generate(2, 1500, seed=4)
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    assert not first[0].equals(other[0])


def test_files_are_byte_identical_for_a_seed_and_match_the_library(tmp_path):
    for name in ("a", "b"):
        write_synthetic(tmp_path / name, "csv", practices=2, patients_per_practice=700, seed=9)
    for file in ("patients.csv", "events.csv", "planted.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    counts = write_synthetic(tmp_path / "pq", "parquet", practices=2, patients_per_practice=700, seed=9)
    patients, events = generate(2, 700, seed=9)
    assert pq.read_table(tmp_path / "pq" / "patients.parquet").equals(patients)
    assert pq.read_table(tmp_path / "pq" / "events.parquet").equals(events)
    assert counts["events"] == events.num_rows
    read_back = pacsv.read_csv(tmp_path / "a" / "patients.csv")
    assert read_back.column_names == CONTRACT_PATIENT_COLUMNS
    assert read_back.schema.field("date_of_birth").type == pa.date32()


# --- calibration ----------------------------------------------------------------------------


_REGISTER_BY_PRACTICE = """
    SELECT l.practice_code, count(DISTINCT l.patient_id) FILTER (WHERE e.code IS NOT NULL)
           / count(DISTINCT l.patient_id) AS share
    FROM list l LEFT JOIN (SELECT * FROM events JOIN can_cod USING (code)
                           WHERE date >= DATE '2003-04-01') e USING (patient_id)
    GROUP BY 1 ORDER BY 2"""


def _national_quantiles(folder: Path | None, practices: int) -> list[float]:
    """Evenly spaced quantiles of the published register prevalence of England's practices, read
    straight from the reference data's register file (not through the generator's code)."""
    folder = folder or Path(str(files("qof_cancer.reference") / "data"))
    with (folder / "qof_2024-25_cancer_register.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["can_register"] and r["list_size"] not in ("", "0")]
    values = sorted(int(r["can_register"]) / int(r["list_size"]) for r in rows)
    return [float(q) for q in np.quantile(values, [(i + 0.5) / practices for i in range(practices)])]


def test_register_share_is_calibrated(db):
    """CAN001 (a CAN_COD code on or after 2003-04-01, registered and alive on the as-of date): the six
    practices span England's spread of register prevalence, from the bundled published figures."""
    shares = [share for _, share in db.execute(_REGISTER_BY_PRACTICE).fetchall()]
    expected = _national_quantiles(None, 6)
    assert shares == pytest.approx(expected, abs=0.002), (shares, expected)
    assert 0.034 <= sum(shares) / 6 <= 0.042  # England's median practice is at 3.8%


def test_the_national_spread_comes_from_the_reference_data(tmp_path, monkeypatch):
    """A newer publication in which every practice's register is 60% larger moves the generated
    practices with it, with no change to the generator."""
    bundled = Path(str(files("qof_cancer.reference") / "data"))
    folder = tmp_path / "reference"
    shutil.copytree(bundled, folder)
    register = folder / "qof_2024-25_cancer_register.csv"
    with register.open() as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["can_register"]:
            r["can_register"] = str(round(int(r["can_register"]) * 1.6))
    with register.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("QOF_CANCER_REFERENCE", str(folder))
    patients, events = generate(4, 4000, seed=5)
    con = duckdb.connect()
    con.register("patients", patients)
    con.register("events", events)
    con.execute("CREATE TABLE can_cod AS SELECT unnest(?) AS code", [list(CAN_COD)])
    con.execute(
        """CREATE VIEW list AS SELECT * FROM patients WHERE registration_start <= $as_of
           AND (registration_end IS NULL OR registration_end > $as_of)
           AND (date_of_death IS NULL OR date_of_death > $as_of)""".replace("$as_of", f"DATE '{AS_OF}'")
    )
    shares = [share for _, share in con.execute(_REGISTER_BY_PRACTICE).fetchall()]
    expected = _national_quantiles(folder, 4)
    assert shares == pytest.approx(expected, abs=0.002), (shares, expected)
    bundled_shares = _national_quantiles(None, 4)
    assert shares == pytest.approx([1.6 * q for q in bundled_shares], abs=0.003)  # 60% above the bundle's


def test_new_diagnoses_per_2000_patients_per_year_are_calibrated(db):
    new = _one(
        db,
        f"""SELECT count(*) FROM (SELECT patient_id, min(date) AS first FROM events JOIN can_cod USING (code)
            GROUP BY 1) WHERE first > DATE '{AS_OF - timedelta(days=365)}'""",
    )
    per_2000 = new / _one(db, "SELECT count(*) FROM list") * 2000
    assert 7 <= per_2000 <= 10, per_2000


def test_list_churn_is_present(db):
    rows = _one(db, "SELECT count(*) FROM patients")
    died = _one(db, "SELECT count(*) FROM patients WHERE date_of_death IS NOT NULL") / rows
    left = _one(
        db, "SELECT count(*) FROM patients WHERE registration_end IS NOT NULL AND date_of_death IS NULL"
    )
    joined = _one(
        db, f"SELECT count(*) FROM list WHERE registration_start > DATE '{AS_OF - timedelta(days=365)}'"
    )
    assert 0.006 < died < 0.014
    assert 0.04 < left / rows < 0.08
    assert 0.06 < joined / _one(db, "SELECT count(*) FROM list") < 0.14


def test_practices_differ_in_cancer_care_review_timeliness(db):
    rates = [
        r[1]
        for r in db.execute(
            """WITH dx AS (SELECT patient_id, min(date) AS d FROM events JOIN can_cod USING (code) GROUP BY 1
                           HAVING min(date) BETWEEN DATE '2015-01-01' AND DATE '2024-06-30')
               SELECT p.practice_code, avg(CASE WHEN EXISTS (SELECT 1 FROM events e
                      WHERE e.patient_id = dx.patient_id AND e.code = '720006006'
                      AND e.date BETWEEN dx.d AND dx.d + INTERVAL 12 MONTH) THEN 1 ELSE 0 END)
               FROM dx JOIN patients p USING (patient_id) GROUP BY 1"""
        ).fetchall()
    ]
    assert len(rates) == 6 and max(rates) - min(rates) > 0.15, rates
    assert min(rates) > 0.3 and max(rates) < 0.98


# --- planted faults -------------------------------------------------------------------------


def _planted(db, fault: str) -> int:
    return _one(db, f"SELECT count(*) FROM planted WHERE fault = '{fault}'")


def test_contact_fault_shares_match_their_parameters(db):
    params = SynthParams()
    rows = _one(db, "SELECT count(*) FROM patients")
    for name, share in zip(MOBILE_CATEGORIES[1:], params.mobile_category_shares[1:], strict=True):
        assert _planted(db, f"mobile_{name}") / rows == pytest.approx(share, rel=0.2, abs=0.002), name
    with_email = _one(db, "SELECT count(*) FROM patients WHERE email IS NOT NULL")
    assert _planted(db, "email_malformed") / with_email == pytest.approx(
        params.email_malformed_share, rel=0.3
    )
    assert _planted(db, "email_malformed") == _one(
        db, "SELECT count(*) FROM patients WHERE email NOT LIKE '%@%'"
    )


def test_diagnosis_fault_shares_match_their_parameters(db):
    params = SynthParams()
    diagnosed = _one(
        db,
        """SELECT count(DISTINCT patient_id) FROM events
           WHERE code IN (SELECT code FROM can_cod) OR code = '35917007'""",
    )
    assert _planted(db, "late_coded_diagnosis") / diagnosed == pytest.approx(
        params.late_coding_share, rel=0.25
    )
    assert _planted(db, "duplicate_diagnosis_code") / diagnosed == pytest.approx(
        params.duplicate_code_share, rel=0.3
    )
    assert _planted(db, "morphology_only_diagnosis") / diagnosed == pytest.approx(
        params.morphology_only_share, rel=0.5
    )
    # A morphology-only patient has no CAN_COD record at all, so is missing from the register.
    assert (
        _one(
            db,
            """SELECT count(*) FROM planted JOIN events USING (patient_id) JOIN can_cod USING (code)
               WHERE fault = 'morphology_only_diagnosis'""",
        )
        == 0
    )


def test_planted_faults_are_really_in_the_records(db):
    checks = {
        "invite_gap_6_days": """SELECT count(*) FROM planted p WHERE fault = 'invite_gap_6_days'
            AND NOT EXISTS (SELECT 1 FROM events a JOIN events b USING (patient_id)
            WHERE a.patient_id = p.patient_id
            AND a.code LIKE 'LOCAL-CANINVITE%' AND b.code LIKE 'LOCAL-CANINVITE%' AND b.date = a.date + 6)""",
        "history_of_code_at_registration": """SELECT count(*) FROM planted p JOIN patients USING (patient_id)
            WHERE fault = 'history_of_code_at_registration' AND NOT EXISTS (SELECT 1 FROM events e
            WHERE e.patient_id = p.patient_id AND e.code IN (SELECT code FROM can_cod)
            AND e.date >= patients.registration_start)""",
        "bcc_code_not_in_can_cod": """SELECT count(*) FROM planted p WHERE fault = 'bcc_code_not_in_can_cod'
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.patient_id = p.patient_id
            AND e.code = '254701007')""",
        "diagnosis_only_before_2003": """SELECT count(*) FROM planted p
            WHERE fault = 'diagnosis_only_before_2003' AND EXISTS (SELECT 1 FROM events e
            JOIN can_cod USING (code) WHERE e.patient_id = p.patient_id
            AND e.date >= DATE '2003-04-01')""",
    }
    for fault, sql in checks.items():
        assert _planted(db, fault) > 0, fault
        assert _one(db, sql) == 0, fault


def test_pca_recorded_in_the_previous_qof_year_is_dated_before_ppsd():
    """Rare at default rates (a few per 50,000 patients), so boosted here to test the mechanism."""
    boosted = SynthParams(pca_unsuitable_share=0.3, pca_dissent_share=0.3, pca_wrong_year_share=1.0)
    data = generate_with_planted(2, 6000, seed=5, params=boosted)
    con = duckdb.connect()
    con.register("planted", data.planted)
    con.register("events", data.events)
    planted = _one(con, "SELECT count(*) FROM planted WHERE fault = 'pca_previous_qof_year'")
    assert planted > 0
    misplaced = f"""SELECT count(*) FROM planted p WHERE fault = 'pca_previous_qof_year'
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.patient_id = p.patient_id
        AND e.code IN ('LOCAL-CANPCAPU-01', 'LOCAL-CANPCADEC-01') AND e.date < DATE '{PPSD}')"""
    assert _one(con, misplaced) == 0


def test_phone_categories_are_all_present(data):
    def category(number: str | None) -> str:
        if number is None:
            return "missing"
        digits = re.sub(r"[\s()-]", "", number).replace("+44", "0")
        if not re.fullmatch(r"0\d{10}", digits):
            return "malformed"
        if digits.startswith("070"):
            return "personal_070"
        if digits.startswith("076") and not digits.startswith("07624"):
            return "pager_076"
        return "mobile" if digits.startswith("07") else "landline"

    mobiles = data.patients.column("mobile_phone").to_pylist()
    found = {category(m) for m in mobiles}
    assert found == {"missing", "malformed", "personal_070", "pager_076", "mobile", "landline"}
    valid = [re.sub(r"\D", "", m)[-10:] for m in mobiles if category(m) == "mobile"]
    assert all(v.startswith("7700900") for v in valid)  # Ofcom drama range only
    homes = [h for h in data.patients.column("home_phone").to_pylist() if h]
    assert homes and all(h.startswith("01632 960") for h in homes)


# --- screening ------------------------------------------------------------------------------


def test_screening_coverage_is_realistic_and_lower_in_low_participation_groups(db):
    cervical = """SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.patient_id = l.patient_id
        AND e.code IN ('1020451000000104','417036008','439958008','1104601000000107')
        AND e.date > DATE '{as_of}' - INTERVAL 42 MONTH) THEN 1 ELSE 0 END)
        FROM list l WHERE sex = 'F' AND {where}
        AND date_diff('year', date_of_birth, DATE '{as_of}') BETWEEN 26 AND 48
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.patient_id = l.patient_id AND e.code = '416099005')"""
    overall = _one(db, cervical.format(as_of=AS_OF, where="TRUE"))
    assert 0.55 < overall < 0.80
    assert _one(db, cervical.format(as_of=AS_OF, where="imd_quintile = 1")) < _one(
        db, cervical.format(as_of=AS_OF, where="imd_quintile = 5")
    )
    bowel = _one(
        db,
        f"""SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.patient_id = l.patient_id
            AND e.code IN ('1101361000000103','1101371000000105')
            AND e.date > DATE '{AS_OF}' - INTERVAL 30 MONTH) THEN 1 ELSE 0 END)
            FROM list l WHERE date_diff('year', date_of_birth, DATE '{AS_OF}') BETWEEN 61 AND 73""",
    )
    assert 0.55 < bowel < 0.80
    ld = _one(db, "SELECT count(*) FROM events WHERE code = '416075005'")
    assert ld > 0


# --- parameters, CLI, layering ----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"mobile_category_shares": (0.5, 0.5, 0.5, 0, 0, 0, 0)},
        {"late_coding_share": 1.5},
        {"ccr_in_window_range": (0.9, 0.5)},
        {"age_band_weights": (1.0,)},
    ],
)
def test_impossible_parameters_are_refused(bad):
    with pytest.raises(ValueError, match="SynthParams"):
        SynthParams(**bad)


def test_cli_writes_the_files_and_refuses_bad_options(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(
            ["synth", "--practices", "2", "--patients-per-practice", "300", "--seed", "1", "--out", str(out)]
        )
        == 0
    )
    assert {p.name for p in out.iterdir()} == {"patients.csv", "events.csv", "planted.csv"}
    assert main(["synth", "--format", "xml", "--out", str(out)]) == 2
    assert "csv or parquet" in capsys.readouterr().err
    assert main(["synth", "--as-of", "2025-02-30", "--out", str(out)]) == 2
    assert main(["synth", "--help"]) == 0


def test_synth_does_not_import_engine_outputs_or_cli():
    code = (
        "import sys, qof_cancer.synth; print(sorted(m for m in sys.modules if m.startswith('qof_cancer.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for layer in ("qof_cancer.engine", "qof_cancer.outputs", "qof_cancer.cli"):
        assert f"'{layer}" not in loaded, layer


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    practices=st.integers(1, 2),
    per_practice=st.integers(1, 400),
    seed=st.integers(0, 2**31),
    as_of=st.dates(date(2019, 1, 1), date(2026, 3, 31)),
)
def test_any_small_run_keeps_events_inside_each_record(practices, per_practice, seed, as_of):
    patients, events = generate(practices, per_practice, seed, as_of=as_of)
    assert patients.num_rows == practices * per_practice
    con = duckdb.connect()
    con.register("p", patients)
    con.register("e", events)
    bad = f"""SELECT count(*) FROM e JOIN p USING (patient_id) WHERE e.date < p.date_of_birth
              OR e.date > DATE '{as_of}' OR e.date > p.date_of_death OR e.date > p.registration_end"""
    assert con.execute(bad).fetchone()[0] == 0
    assert con.execute(f"SELECT count(*) FROM p WHERE registration_start > DATE '{as_of}'").fetchone()[0] == 0
