"""Every case in cancer_cases.yaml on every engine (the `engine` fixture: reference, DuckDB, Spark,
PostgreSQL), each compared with the case's expectation. Cases sharing a year, achievement date, code lists
and settings run together, one patient per case."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

from qof_cancer.codes import load_clusters
from qof_cancer.engine.reference import Patient
from qof_cancer.model import load_ruleset
from tests.helpers import as_event, outcome_map

CASES = yaml.safe_load((Path(__file__).parent / "cancer_cases.yaml").read_text())
TODAY = date(2026, 6, 1)


def _patient(i: int, case: dict) -> Patient:
    return Patient(
        patient_id=f"case{i:03d}",
        practice_code="A00001",
        pcn_code="U00001",
        registration_start=case.get("registered", date(2000, 1, 1)),
        registration_end=case.get("registration_end"),
        date_of_death=case.get("date_of_death"),
        events=tuple(as_event(e) for e in case["events"]),
    )


def _expected(case: dict) -> dict[str, tuple[str, str] | None]:
    out = {}
    for indicator, text in case["expect"].items():
        outcome, _, rule = text.partition(" ")
        out[indicator] = None if outcome == "not_on_register" else (outcome, f"{indicator}-{rule}")
    return out


def _group_key(case: dict) -> tuple:
    """Cases that share a year, achievement date, code lists and settings run together."""
    return (
        case.get("year", "2023-24"),
        case.get("as_of"),
        yaml.safe_dump(case.get("codes")),
        yaml.safe_dump(case.get("settings")),
    )


def case_settings(key: tuple) -> dict | None:
    """The rule settings of a group (`settings:` in a case, e.g. {CAN005: {support_window: 3 months}})."""
    return yaml.safe_load(key[3])


@pytest.fixture(scope="module")
def results(engine) -> dict[tuple, dict]:
    """Run each group once on the engine: its outcomes by group."""
    groups: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for i, case in enumerate(CASES):
        groups[_group_key(case)].append((i, case))
    out = {}
    ruleset = load_ruleset()
    bundled = {c.id: c.codes for c in load_clusters().clusters.values()}
    for key, members in groups.items():
        year, as_of = key[0], key[1]
        settings = case_settings(key)
        clusters = dict(bundled)
        for cid, added in (members[0][1].get("codes") or {}).items():
            clusters[cid] = clusters[cid] | frozenset(str(c) for c in added)
        rules = load_ruleset(settings=settings) if settings else ruleset
        period = rules.period(year, as_of, TODAY)
        patients = [_patient(i, c) for i, c in members]
        out[key] = outcome_map(engine.outcomes(rules, period, clusters, patients))
    return out


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["title"] for c in CASES])
def test_case(index: int, engine, results) -> None:
    case = CASES[index]
    got = results[_group_key(case)]
    pid = f"case{index:03d}"
    for indicator, expected in _expected(case).items():
        if expected is None:
            assert not [k for k in got if k[0] == pid], f"{engine.name}: expected no outcome rows"
        else:
            assert got.get((pid, indicator)) == expected, f"{engine.name} {indicator}"
