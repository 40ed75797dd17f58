"""One module per check, found by the registry: the catalogue, the SQL and the impact re-run read the
same `Check` objects, so they cannot disagree."""

from __future__ import annotations

import pkgutil
from datetime import date
from importlib import import_module

import duckdb
import pytest

import qof_cancer.quality.checks as checks_package
from qof_cancer.model import Period, load_ruleset
from qof_cancer.quality import CHECKS
from qof_cancer.quality.checks import FINDING_COLUMNS, ORDER, Check
from qof_cancer.quality.reading import QualitySettings, read_rules

HELPERS = {"base", "shared"}


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(checks_package.__path__) if m.name not in HELPERS]


def test_every_check_module_is_registered_once_under_its_own_name():
    assert sorted(_modules()) == sorted(ORDER)
    assert len(set(ORDER)) == len(ORDER)
    for name in _modules():
        check = import_module(f"qof_cancer.quality.checks.{name}").CHECK
        assert isinstance(check, Check) and check.name == name


def test_the_catalogue_is_the_registry():
    assert [c.name for c in CHECKS] == list(ORDER)
    assert all(c.impact_basis in ("computed", "rule") for c in CHECKS)
    # A check whose impact is re-computed must say how to undo its fault.
    for check in CHECKS:
        if check.name.startswith("record_after_"):
            assert check.clears is not None, check.name


@pytest.fixture(scope="module")
def reading():
    ruleset = load_ruleset(today=date(2026, 6, 1))
    year = ruleset.years["2023-24"]
    return read_rules(ruleset, Period(year, year.pped), QualitySettings())


def _empty_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The tables the checks read, empty, with the columns compute.prepare_tables gives them."""
    ev = "event_id BIGINT, patient_id VARCHAR, code VARCHAR, date DATE, episode VARCHAR"
    schema = {
        "dq_events": ev,
        "dq_ev": ev + ", cluster_id VARCHAR",
        "dq_dx": ev + ", cluster_id VARCHAR, site VARCHAR, site_key VARCHAR, history BOOLEAN, counts BOOLEAN",
        "dq_cd": "patient_id VARCHAR, can_dat DATE",
        "dq_pop": "patient_id VARCHAR, practice_code VARCHAR, registration_start DATE, "
        "registration_end DATE, date_of_death DATE",
        "patients": "patient_id VARCHAR, practice_code VARCHAR, registration_start DATE, "
        "registration_end DATE, date_of_death DATE",
        "outcomes": "patient_id VARCHAR, indicator VARCHAR, outcome VARCHAR, can_dat DATE",
        "dq_terms": "code VARCHAR, term VARCHAR",
        "dq_sites": "code VARCHAR, site VARCHAR, history VARCHAR",
        "dq_cancer_like": "code VARCHAR, kind VARCHAR, fix_code VARCHAR, suggested VARCHAR",
        "dq_placeholders": "code VARCHAR, cluster_id VARCHAR, target_code VARCHAR",
        "dq_local": "code VARCHAR, cluster_id VARCHAR, example VARCHAR",
        "dq_can_dat_moved": "patient_id VARCHAR",
    }
    for name, columns in schema.items():
        con.execute(f"CREATE TABLE {name} ({columns})")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_each_check_selects_the_finding_columns_of_its_own_name(check, reading):
    sql = check.build(reading)
    assert sql, f"{check.name} finds nothing to check in the national rules"
    con = duckdb.connect()
    _empty_tables(con)
    columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    assert columns == [name for name, _ in FINDING_COLUMNS]
    assert f"'{check.name}' AS check_name" in sql
