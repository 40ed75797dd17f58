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
    ([["CAN_COD", "2022-09-01"]], date(2024, 1, 15), "excluded_recent_registration", "out_of_scope"),
    (
        [["CAN_COD", "2022-09-01"], ["CANINVITE_COD", "2023-05-01"], ["CANINVITE_COD", "2023-05-08"]],
        None,
        "pca_no_response",
        "out_of_scope",
    ),
    ([["CAN_COD", "2022-09-01"], ["CANPCADEC_COD", "2023-03-20"]], None, "not_met", "out_of_scope"),
    ([["CAN_COD", "1999-06-01"]], None, None, None),
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
    assert rows[("w3", "CAN005")]["due_date"] == "2023-05-01"


def test_summary_counts_and_pcn_row(cli_outcomes):
    _, out = cli_outcomes
    with (out / "summary.csv").open() as fh:
        rows = {(r["level"], r["indicator"]): r for r in csv.DictReader(fh)}
    can004 = rows[("practice", "CAN004")]
    # Met: w2. Not met: w3, w7. PCA no response: w6. Excluded: w1, w4 (diagnosis), w5 (registration).
    assert (can004["numerator"], can004["denominator"], can004["pca_no_response"]) == ("1", "3", "1")
    assert (can004["excluded_recent_diagnosis"], can004["excluded_recent_registration"]) == ("2", "1")
    assert can004["achievement_pct"] == "33.33" and can004["points"] == "0.0"
    assert rows[("practice", "CAN001")]["register"] == "7"
    assert rows[("practice", "CAN001")]["list_size"] == "8"
    assert rows[("pcn", "CAN004")]["pcn_code"] == "U00001"
    assert rows[("pcn", "CAN004")]["denominator"] == "3"
    assert "CANINVITE_COD example" in can004["code_lists"]
