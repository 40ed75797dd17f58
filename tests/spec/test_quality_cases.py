"""Every case in quality_cases.yaml through `api.run` with the data-quality feature: the checks found for
each patient are exactly the expected ones, with the expected impact where a case gives it. Cases that
share a year, achievement date and code lists run together, one patient per case."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

from qof_cancer import api
from qof_cancer.engine.reference import Patient
from qof_cancer.quality import CHECKS
from tests.helpers import as_event, write_inputs

CASES = yaml.safe_load((Path(__file__).parent / "quality_cases.yaml").read_text())
TODAY = date(2026, 6, 1)


def _patient(i: int, case: dict) -> Patient:
    return Patient(
        patient_id=f"dq{i:03d}",
        practice_code="A00001",
        pcn_code="U00001",
        registration_start=case.get("registered", date(2000, 1, 1)),
        registration_end=case.get("registration_end"),
        date_of_death=case.get("date_of_death"),
        events=tuple(as_event(e) for e in case["events"]),
    )


def _group_key(case: dict) -> tuple:
    return (
        case.get("year", "2023-24"),
        case.get("as_of"),
        yaml.safe_dump(case.get("codes")),
        yaml.safe_dump(case.get("local_codes")),
    )


def _write_codes(folder: Path, case: dict) -> Path | None:
    """`codes` replace a cluster's list (a user list); `local_codes` go in <CLUSTER>.local.csv."""
    if not case.get("codes") and not case.get("local_codes"):
        return None
    codes_dir = folder / "codes"
    codes_dir.mkdir()
    for cid, codes in (case.get("codes") or {}).items():
        (codes_dir / f"{cid}.csv").write_text("code\n" + "\n".join(codes) + "\n")
    for cid, codes in (case.get("local_codes") or {}).items():
        (codes_dir / f"{cid}.local.csv").write_text("code\n" + "\n".join(codes) + "\n")
    return codes_dir


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> dict[str, list[dict]]:
    """patient_id -> the data_quality rows for that patient."""
    groups: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for i, case in enumerate(CASES):
        groups[_group_key(case)].append((i, case))
    rows: dict[str, list[dict]] = defaultdict(list)
    for (year, as_of, _, _), members in groups.items():
        folder = tmp_path_factory.mktemp("dq")
        ppath, epath = write_inputs(folder, [_patient(i, c) for i, c in members])
        codes_dir = _write_codes(folder, members[0][1])
        result = api.run(ppath, epath, year=year, as_of=as_of, codes=codes_dir, today=TODAY)
        for row in result.tables["data_quality"].to_pylist():
            rows[row["patient_id"]].append(row)
    return rows


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["title"] for c in CASES])
def test_case(index: int, found) -> None:
    case = CASES[index]
    rows = found.get(f"dq{index:03d}", [])
    assert {r["check"] for r in rows} == set(case["expect"]), [r["detail"] for r in rows]
    for check, impact in (case.get("impact") or {}).items():
        assert {r["impact"] for r in rows if r["check"] == check} == {impact}


def test_every_check_has_a_case_and_a_near_miss():
    """Each check is named by a case that triggers it and by a near miss that does not."""
    for info in CHECKS:
        about = [c for c in CASES if c["check"] == info.name]
        assert any(info.name in c["expect"] for c in about), f"{info.name}: no case triggers it"
        assert any(info.name not in c["expect"] for c in about), f"{info.name}: no near miss"
    assert {c["check"] for c in CASES} <= {c.name for c in CHECKS}
