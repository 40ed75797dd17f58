"""The worked cases of the spec through the command line, as a user would run them."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from qof_cancer.cli import main
from qof_cancer.engine.reference import Patient
from tests.helpers import as_event, write_inputs

WORKED = [
    # (events, registered, CAN004, CAN005)
    ([["CAN_COD", "2023-06-10"], ["CANPCSUPP_COD", "2023-08-01"]], None, "excluded_recent_diagnosis", "met"),
    ([["CAN_COD", "2022-11-15"], ["MDRV_COD", "2023-10-01"]], None, "met", "out_of_scope"),
    ([["CAN_COD", "2023-02-01"]], None, "not_met", "not_met"),
    ([["CAN_COD", "2024-02-01"]], None, "excluded_recent_diagnosis", "excluded_recent_diagnosis"),
    ([["CAN_COD", "2022-09-01"]], date(2024, 1, 15), "pca_recent_registration", "out_of_scope"),
    (
        [["CAN_COD", "2022-09-01"], ["CANINVITE_COD", "2023-05-01"], ["CANINVITE_COD", "2023-05-08"]],
        None,
        "pca_no_response",
        "out_of_scope",
    ),
    ([["CAN_COD", "2022-09-01"], ["CANPCADEC_COD", "2023-03-20"]], None, "not_met", "out_of_scope"),
    ([["CAN_COD", "1999-06-01"]], None, None, None),
    # Revision 2: the earlier-year exclusion (R1c) and the 93-day support window.
    ([["CAN_COD", "2022-06-01"], ["MDRV_COD", "2022-09-01"]], None, "excluded_earlier_year", "out_of_scope"),
    ([["CAN_COD", "2023-06-10"], ["CANPCSUPP_COD", "2023-09-11"]], None, "excluded_recent_diagnosis", "met"),
    ([["CAN_COD", "2023-01-10"], ["CANPCSUPP_COD", "2023-02-01"]], None, "not_met", "excluded_earlier_year"),
]


@pytest.fixture(scope="module")
def cli_outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worked")
    patients = [
        Patient(
            f"w{i + 1}",
            "A00001",
            registered or date(2000, 1, 1),
            pcn_code="U00001",
            events=tuple(as_event([c, date.fromisoformat(d)]) for c, d in events),
        )
        for i, (events, registered, _, _) in enumerate(WORKED)
    ]
    ppath, epath = write_inputs(folder, patients)
    out = folder / "out"
    code = main(
        ["run", "--patients", str(ppath), "--events", str(epath), "--year", "2023-24", "--out", str(out)]
    )
    assert code == 0
    with (out / "outcomes.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    return {(r["patient_id"], r["indicator"]): r for r in rows}, out


@pytest.mark.parametrize("number", range(1, len(WORKED) + 1))
def test_worked_case_through_cli(number, cli_outcomes):
    rows, _ = cli_outcomes
    _, _, can004, can005 = WORKED[number - 1]
    pid = f"w{number}"
    if can004 is None:
        assert not [k for k in rows if k[0] == pid], "a patient coded only in 1999 is not on the register"
        return
    assert rows[(pid, "CAN001")]["outcome"] == "register"
    assert rows[(pid, "CAN004")]["outcome"] == can004
    assert rows[(pid, "CAN005")]["outcome"] == can005
    assert rows[(pid, "CAN004")]["rule"].startswith("CAN004-R")


def test_outcome_rows_carry_dates(cli_outcomes):
    rows, _ = cli_outcomes
    row = rows[("w3", "CAN004")]
    assert (row["can_dat"], row["due_date"], row["rule"]) == ("2023-02-01", "2024-02-01", "CAN004-R8")
    assert rows[("w3", "CAN005")]["due_date"] == "2023-05-05"  # 93 days after 2023-02-01
    assert (row["national_rule"], rows[("w9", "CAN004")]["national_rule"]) == ("Denominator", "MDRV_DAT")
    assert rows[("w11", "CAN005")]["national_rule"] == "CANSUP12M"


def test_summary_counts_and_pcn_row(cli_outcomes):
    _, out = cli_outcomes
    with (out / "summary.csv").open() as fh:
        rows = {(r["level"], r["indicator"]): r for r in csv.DictReader(fh)}
    can004 = rows[("practice", "CAN004")]
    # Met: w2. Not met: w3, w7, w11. PCAs: w6 (no response), w5 (registration). Excluded: w1, w4, w10
    # (recent diagnosis), w9 (reviewed in an earlier year).
    assert (can004["numerator"], can004["denominator"], can004["pca_no_response"]) == ("1", "4", "1")
    assert (can004["excluded_recent_diagnosis"], can004["pca_recent_registration"]) == ("3", "1")
    assert (can004["excluded_earlier_year"], can004["pcas"], can004["exclusions"]) == ("1", "2", "4")
    assert can004["pca_rate_pct"] == "33.33"  # 2 / (4 + 2)
    assert can004["achievement_pct"] == "25.0" and can004["points"] == "0.0"
    assert rows[("practice", "CAN001")]["register"] == "10"
    assert rows[("practice", "CAN001")]["list_size"] == "11"
    assert rows[("pcn", "CAN004")]["pcn_code"] == "U00001"
    assert rows[("pcn", "CAN004")]["denominator"] == "4"
    assert "CANINVITE_COD example" in can004["code_lists"]
