"""Spec cases: who is in each cohort (age on the reference date, sex, registration, exclusions) and what
counts as covered (a record after the reference date minus the window, on or before the reference date).

Reference date 2025-11-15 unless a case says otherwise. Windows: 3.5 years = 42 months (from 2022-05-15),
5.5 years = 66 months (from 2020-05-15), 30 months (from 2023-05-15), 36 months (from 2022-11-15).
"""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.screening.run import run_screening
from tests.screening.helpers import P, code_of, write_screening_inputs

AS_OF = date(2025, 11, 15)
TODAY = date(2026, 1, 31)  # later than the reference date, so a record after it is loaded, not rejected
D = date.fromisoformat

# title, patient, {programme: outcome}; outcome is covered / not covered / excluded; absent = not in cohort
CASES = [
    (
        "25 on the reference date: in the 25-49 cohort",
        P("c01", D("2000-11-15")),
        {"cervical_25_49": "not covered"},
    ),
    ("25 the day after: not yet in", P("c02", D("2000-11-16")), {}),
    (
        "49 until the day before the 50th birthday",
        P("c03", D("1975-11-16")),
        {"cervical_25_49": "not covered"},
    ),
    (
        "50 on the reference date: in 50-64, not 25-49",
        P("c04", D("1975-11-15")),
        {"cervical_50_64": "not covered", "bowel": "not covered"},
    ),
    (
        "64: still in 50-64",
        P("c05", D("1960-11-16"), events=[("SMEAR_COD", D("2024-01-01"))]),
        {"cervical_50_64": "covered", "bowel": "not covered", "breast": "not covered"},
    ),
    ("65: out of cervical", P("c06", D("1960-11-15")), {"bowel": "not covered", "breast": "not covered"}),
    (
        "test on the first day after the 42-month window start: covered",
        P("c07", D("1990-01-01"), events=[("SMEAR_COD", D("2022-05-16"))]),
        {"cervical_25_49": "covered"},
    ),
    (
        "test on the window start itself (42 months before): not covered",
        P("c08", D("1990-01-01"), events=[("SMEAR_COD", D("2022-05-15"))]),
        {"cervical_25_49": "not covered"},
    ),
    (
        "test on the reference date: covered",
        P("c09", D("1990-01-01"), events=[("SMEAR_COD", AS_OF)]),
        {"cervical_25_49": "covered"},
    ),
    (
        "test after the reference date: does not count",
        P("c10", D("1990-01-01"), events=[("SMEAR_COD", D("2025-11-16"))]),
        {"cervical_25_49": "not covered"},
    ),
    (
        "50-64: test on the 66-month window start is out",
        P("c11", D("1970-01-01"), events=[("SMEAR_COD", D("2020-05-15"))]),
        {"cervical_50_64": "not covered", "bowel": "not covered", "breast": "not covered"},
    ),
    (
        "50-64: test on the first day of the 66-month window",
        P("c12", D("1970-01-01"), events=[("SMEAR_COD", D("2020-05-16"))]),
        {"cervical_50_64": "covered", "bowel": "not covered", "breast": "not covered"},
    ),
    (
        "inadequate specimen is not an adequate test",
        P("c13", D("1990-01-01"), events=[("168402006", D("2025-01-01"))]),
        {"cervical_25_49": "not covered"},
    ),
    (
        "no cervix: excluded, not in the denominator",
        P("c14", D("1990-01-01"), events=[("NOCX_COD", D("2020-01-01"))]),
        {"cervical_25_49": "excluded"},
    ),
    (
        "no cervix recorded after the reference date: still eligible",
        P("c15", D("1990-01-01"), events=[("NOCX_COD", D("2025-12-01"))]),
        {"cervical_25_49": "not covered"},
    ),
    ("male: no cervical cohort", P("c16", D("1990-01-01"), sex="M"), {}),
    (
        "indeterminate sex: in the cervical cohort",
        P("c17", D("1990-01-01"), sex="I"),
        {"cervical_25_49": "not covered"},
    ),
    (
        "bowel: FIT normal on the first day of the 30-month window",
        P("c18", D("1955-06-01"), sex="M", events=[("1101361000000103", D("2023-05-16"))]),
        {"bowel": "covered"},
    ),
    (
        "bowel: FIT 30 months before is out",
        P("c19", D("1955-06-01"), sex="M", events=[("1101361000000103", D("2023-05-15"))]),
        {"bowel": "not covered"},
    ),
    (
        "bowel: abnormal FIT counts",
        P("c20", D("1955-06-01"), sex="M", events=[("1101371000000105", D("2025-01-01"))]),
        {"bowel": "covered"},
    ),
    (
        "bowel: technical failure does not",
        P("c21", D("1955-06-01"), sex="M", events=[("1101381000000107", D("2025-01-01"))]),
        {"bowel": "not covered"},
    ),
    ("bowel: 74 is in, sex unknown is in", P("c22", D("1951-11-15"), sex="U"), {"bowel": "not covered"}),
    ("bowel: 75 is out", P("c23", D("1950-11-15"), sex="M"), {}),
    ("bowel: 50 is in from 2025", P("c24", D("1975-06-01"), sex="M"), {"bowel": "not covered"}),
    (
        "breast: 53 in, result on the first day of the 36-month window",
        P("c25", D("1972-11-15"), events=[("BRCANSCR_COD", D("2022-11-16"))]),
        {"cervical_50_64": "not covered", "bowel": "not covered", "breast": "covered"},
    ),
    (
        "breast: result 36 months before is out",
        P("c26", D("1972-01-01"), events=[("BRCANSCR_COD", D("2022-11-15"))]),
        {"cervical_50_64": "not covered", "bowel": "not covered", "breast": "not covered"},
    ),
    (
        "breast: 52 is not in",
        P("c27", D("1972-11-16")),
        {"cervical_50_64": "not covered", "bowel": "not covered"},
    ),
    ("breast: 70 in, 71 out", P("c28", D("1954-11-16")), {"bowel": "not covered", "breast": "not covered"}),
    ("breast: men are not in", P("c29", D("1960-01-01"), sex="M"), {"bowel": "not covered"}),
    (
        "left the practice before the reference date: not in",
        P("c30", D("1990-01-01"), left=D("2025-11-01")),
        {},
    ),
    ("leaves on the reference date: not in", P("c31", D("1990-01-01"), left=AS_OF), {}),
    ("died on the reference date: not in", P("c32", D("1990-01-01"), died=AS_OF), {}),
    ("registers the day after: not in", P("c33", D("1990-01-01"), registered=D("2025-11-16")), {}),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("scr-cases")
    patients, events = write_screening_inputs(folder, [c[1] for c in CASES])
    result = run_screening(patients, events, as_of=AS_OF, today=TODAY)
    assert result.load.rows_rejected == 0
    out: dict[str, dict[str, str]] = {}
    for row in result.cohort.to_pylist():
        state = "excluded" if not row["eligible"] else "covered" if row["covered"] else "not covered"
        out.setdefault(row["patient_id"], {})[row["programme"]] = state
    return out


@pytest.mark.parametrize(("title", "patient", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(outcomes, title, patient, expected):
    assert outcomes.get(patient.patient_id, {}) == expected


def _bowel_ages(tmp_path, as_of: date) -> dict[str, bool]:
    people = [P("b55", D("1970-06-01"), sex="M"), P("b60", D("1964-06-01"), sex="M")]
    patients, events = write_screening_inputs(tmp_path / as_of.isoformat(), people)
    result = run_screening(patients, events, as_of=as_of, today=TODAY)
    return {r["patient_id"]: True for r in result.cohort.to_pylist() if r["programme"] == "bowel"}


def test_bowel_age_extension_by_date(tmp_path):
    """60-74 up to 2024-12-31; 50-74 from 2025-01-01 (settings.yaml)."""
    assert _bowel_ages(tmp_path, D("2024-12-31")) == {"b60": True}
    assert _bowel_ages(tmp_path, D("2025-01-01")) == {"b55": True, "b60": True}


def test_leap_day_birthday_and_month_end_window(tmp_path):
    """Born 29 Feb: 25 on 1 March in a common year, not on 28 Feb. 2025-08-31 less 30 months is 2023-02-28."""
    people = [
        P("leap", D("2000-02-29")),
        P("edge_out", D("1960-01-01"), sex="M", events=[("1101361000000103", D("2023-02-28"))]),
        P("edge_in", D("1960-01-01"), sex="M", events=[("1101361000000103", D("2023-03-01"))]),
    ]
    patients, events = write_screening_inputs(tmp_path, people)
    by_day = {}
    for as_of in (D("2025-02-28"), D("2025-03-01"), D("2025-08-31")):
        result = run_screening(patients, events, as_of=as_of, today=TODAY)
        by_day[as_of] = {(r["patient_id"], r["programme"]): r["covered"] for r in result.cohort.to_pylist()}
    assert ("leap", "cervical_25_49") not in by_day[D("2025-02-28")]
    assert ("leap", "cervical_25_49") in by_day[D("2025-03-01")]
    assert by_day[D("2025-08-31")][("edge_out", "bowel")] is False
    assert by_day[D("2025-08-31")][("edge_in", "bowel")] is True


def test_coverage_counts_match_the_cases(outcomes, tmp_path):
    """coverage.csv adds up the cohort: eligible excludes the excluded; covered / eligible is the %."""
    patients, events = write_screening_inputs(tmp_path, [c[1] for c in CASES])
    result = run_screening(patients, events, as_of=AS_OF, today=TODAY)
    rows = {(r["level"], r["programme"]): r for r in result.tables["coverage"].to_pylist()}
    for programme in ("cervical_25_49", "cervical_50_64", "bowel", "breast"):
        states = [o[programme] for o in outcomes.values() if programme in o]
        row = rows[("practice", programme)]
        assert row["eligible"] == sum(s != "excluded" for s in states)
        assert row["covered"] == states.count("covered")
        assert row["excluded"] == states.count("excluded")
        assert row["coverage_pct"] == round(100 * row["covered"] / row["eligible"], 1)
        assert row["ci_low_pct"] <= row["coverage_pct"] <= row["ci_high_pct"]
        assert rows[("pcn", programme)]["eligible"] == row["eligible"]  # one practice in the PCN


def test_code_is_from_the_bundled_cluster():
    assert code_of("SMEAR_COD", "417036008") == "417036008"
