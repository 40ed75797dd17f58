"""The table `qof-cancer run` prints: a row per practice and PCN for a practice or a PCN, and for a
larger run (an ICB's) one row per indicator, added up over the practices, that agrees with summary.csv."""

from __future__ import annotations

import csv

from qof_cancer.cli import main
from qof_cancer.outputs.terminal import PRACTICES_LISTED
from tests.helpers import write_inputs
from tests.worklist.conftest import patient


def _practices(count: int) -> list:
    """`count` practices, each with a patient diagnosed in the year, one the year before (CAN004) and one long ago."""
    people = []
    for n in range(count):
        practice = f"A{n + 1:05d}"
        people.append(patient([["CAN_COD", "2023-10-15"]], practice=practice))
        people.append(patient([["CAN_COD", "2010-05-01"]], practice=practice))
        people.append(patient([["CAN_COD", "2022-11-01"]], practice=practice))
    return people


def _run(tmp_path, count: int, capsys) -> tuple[str, list[dict]]:
    ppath, epath = write_inputs(tmp_path / "in", _practices(count))
    out = tmp_path / "out"
    args = ["run", "--patients", str(ppath), "--events", str(epath), "--year", "2023-24"]
    assert main([*args, "--out", str(out)]) == 0
    with (out / "summary.csv").open(newline="") as f:
        return capsys.readouterr().out, list(csv.DictReader(f))


def test_a_pcn_sized_run_lists_every_practice(tmp_path, capsys):
    printed, rows = _run(tmp_path, 3, capsys)
    for row in rows:
        if row["practice_code"]:
            assert row["practice_code"] in printed
    assert "Added up over the practices" not in printed


def test_a_larger_run_prints_the_indicators_added_up_over_its_practices(tmp_path, capsys):
    count = PRACTICES_LISTED + 1
    printed, rows = _run(tmp_path, count, capsys)
    assert f"{count} practices (1 PCN)" in printed
    assert "Added up over the practices" in printed
    assert "A00001" not in printed  # no practice's own row
    practice_rows = [r for r in rows if r["practice_code"]]
    lines = {line.split("│")[1].strip(): line for line in printed.splitlines() if line.count("│") > 3}
    for indicator in ("CAN001", "CAN004", "CAN005"):
        mine = [r for r in practice_rows if r["indicator"] == indicator]
        assert len(mine) == count
        line = lines[indicator]
        points = sum(float(r["points"]) for r in mine)
        most = sum(float(r["max_points"]) for r in mine)
        assert f"{points:.2f}/{most:g}" in line
        assert f"{sum(float(r['payment_gbp']) for r in mine):,.0f}" in line
        if indicator == "CAN001":
            assert f"{sum(int(r['register']) for r in mine):,} on register" in line
        else:
            numerator = sum(int(r["numerator"]) for r in mine)
            denominator = sum(int(r["denominator"]) for r in mine)
            assert f"({numerator:,}/{denominator:,})" in line
