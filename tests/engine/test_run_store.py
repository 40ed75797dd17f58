"""The run's store: the engine's named steps published beside the outcomes, and `run.scenario` evaluating
the same rules on other data or at another period without touching the run's own tables."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from qof_cancer.codes import load_clusters
from qof_cancer.engine.reference import Patient
from qof_cancer.engine.run import Run
from qof_cancer.inputs.backends import DuckDBBackend
from qof_cancer.model import Period, load_ruleset
from tests.helpers import as_event, write_inputs

TODAY = date(2026, 6, 1)


@pytest.fixture()
def store(tmp_path):
    patients = [
        # Diagnosed in 2023-24, reviewed in time: met.
        Patient(
            "a1",
            "A00001",
            date(2000, 1, 1),
            events=(as_event(["CAN_COD", "2022-11-01"]), as_event(["MDRV_COD", "2023-06-01"])),
        ),
        # Diagnosed, never reviewed.
        Patient("a2", "A00001", date(2000, 1, 1), events=(as_event(["CAN_COD", "2022-10-01"]),)),
        # Left the practice in 2023, so not in 2023-24's population at its end.
        Patient(
            "a3",
            "A00001",
            date(2000, 1, 1),
            registration_end=date(2023, 9, 1),
            events=(as_event(["CAN_COD", "2022-12-01"]),),
        ),
        Patient("b1", "B00002", date(2010, 1, 1)),
    ]
    ppath, epath = write_inputs(tmp_path, patients)
    ruleset = load_ruleset(today=TODAY)
    clusters = load_clusters()
    backend = DuckDBBackend(duckdb.connect())
    run = Run.open(backend, clusters, ppath, epath, TODAY)
    run.evaluate(ruleset, ruleset.period("2023-24", None, TODAY))
    yield run
    backend.close()


def _outcomes(run: Run, table: str, indicator: str) -> dict[str, str]:
    rows = run.backend.rows(f"SELECT patient_id, outcome FROM {table} WHERE indicator = '{indicator}'")
    return dict(rows)


def test_the_store_publishes_population_diagnosis_and_outcomes(store):
    assert sorted(r[0] for r in store.backend.rows("SELECT patient_id FROM population")) == ["a1", "a2", "b1"]
    assert dict(store.backend.rows("SELECT patient_id, can_dat FROM can_dat")) == {
        "a1": date(2022, 11, 1),
        "a2": date(2022, 10, 1),
        "a3": date(2022, 12, 1),
    }
    assert _outcomes(store, "outcomes", "CAN004") == {"a1": "met", "a2": "not_met"}
    facts = store.backend.rows("SELECT patient_id FROM rule_facts ORDER BY patient_id")
    assert [r[0] for r in facts] == ["a1", "a2"]  # one row per register patient
    counts = {(i, o): n for _, i, o, n in store.main.counts}
    assert counts[("CAN004", "met")] == 1 and counts[("CAN004", "not_met")] == 1
    assert store.main.sizes == {"A00001": (None, 2), "B00002": (None, 1)}


def test_a_scenario_reads_other_data_and_leaves_the_run_as_it_was(store):
    before = store.backend.rows("SELECT * FROM outcomes ORDER BY patient_id, indicator")
    reviewed = store.scenario(
        "reviewed",
        events="SELECT patient_id, code, date, episode FROM events UNION ALL "
        "SELECT * FROM (SELECT 'a2', code, DATE '2023-05-01', NULL FROM cluster_codes "
        "WHERE cluster_id = 'MDRV_COD' LIMIT 1)",
    )
    assert reviewed.table == "reviewed_outcomes"
    assert _outcomes(store, "reviewed_outcomes", "CAN004") == {"a1": "met", "a2": "met"}
    assert store.backend.rows("SELECT * FROM outcomes ORDER BY patient_id, indicator") == before
    # Patients given as a table of the store, and another period: a3 was registered in 2022-23.
    earlier = store.scenario("earlier", period=Period(store.main.ruleset.year("2022-23"), date(2023, 3, 31)))
    assert "a3" in _outcomes(store, "earlier_outcomes", "CAN001")
    assert earlier.patients == "patients" and earlier.period.year.id == "2022-23"
    store.backend.execute("CREATE TABLE just_b AS SELECT * FROM patients WHERE patient_id = 'b1'")
    only_b = store.scenario("only_b", patients="just_b")
    assert only_b.sizes == {"B00002": (None, 1)} and _outcomes(store, "only_b_outcomes", "CAN001") == {}


def test_a_scenario_name_must_be_a_plain_name(store):
    with pytest.raises(ValueError, match="scenario name"):
        store.scenario("x; DROP TABLE outcomes")


def test_a_feature_the_engine_cannot_run_is_named_in_the_terminal_and_run_json(tmp_path):
    """Never skipped in silence: the run goes on, and says which feature's files are missing and why."""
    import json

    from qof_cancer import api
    from qof_cancer.engine.context import Feature, FeatureUnsupported

    def needs_something_else(context):
        raise FeatureUnsupported(f"it needs an engine other than {context.backend.dialect}")

    ppath, epath = write_inputs(
        tmp_path, [Patient("a1", "A00001", date(2000, 1, 1), events=(as_event(["CAN_COD", "2022-11-01"]),))]
    )
    imaginary = Feature("imaginary feature", needs_something_else)
    result = api.run(ppath, epath, year="2023-24", today=TODAY, out=tmp_path / "out", features=(imaginary,))
    expected = "imaginary feature not computed on --engine duckdb: it needs an engine other than duckdb"
    assert result.warnings == [expected]
    assert expected in json.loads((tmp_path / "out" / "run.json").read_text())["warnings"]
    assert (tmp_path / "out" / "outcomes.csv").exists()  # the run went on
