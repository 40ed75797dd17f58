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


def test_a_feature_prepares_on_another_thread_and_computes_with_what_it_prepared(tmp_path):
    """`prepare` runs beside the run, not on the caller's thread, and is finished before `compute`; an
    error in it fails the run from the feature's step, with the error as raised, and no files."""
    import threading

    from qof_cancer import api
    from qof_cancer.engine.context import Feature
    from qof_cancer.errors import UserError

    seen: dict[str, object] = {}

    def prepare():
        seen["thread"] = threading.current_thread()
        seen["model"] = "fitted"

    def compute(context):
        seen["at compute"] = seen.get("model")
        return {}

    ppath, epath = write_inputs(
        tmp_path, [Patient("a1", "A00001", date(2000, 1, 1), events=(as_event(["CAN_COD", "2022-11-01"]),))]
    )
    steps: list[str] = []
    api.run(ppath, epath, year="2023-24", today=TODAY, features=(Feature("f", compute, prepare=prepare),))
    assert seen["at compute"] == "fitted" and seen["thread"] is not threading.current_thread()

    def broken():
        raise UserError("reference data: /nowhere is not a folder")

    failing = Feature("benchmarks", compute, prepare=broken)
    with pytest.raises(UserError, match="/nowhere is not a folder"):
        api.run(ppath, epath, year="2023-24", today=TODAY, out=tmp_path / "out", progress=steps.append,
                features=(failing,))  # fmt: skip
    assert steps[-1] == "Computing benchmarks" and not (tmp_path / "out").exists()


def test_an_evaluation_the_store_holds_is_shared_not_computed_again(store):
    """The same rules, settings and period over the same loaded tables: views of the first one's tables,
    with its counts; a fresh load of the same rule files is the same rules."""
    same = store.scenario("again", ruleset=load_ruleset(today=TODAY))
    assert same.shares == "" and same.counts == store.main.counts and same.sizes == store.main.sizes
    kinds = dict(store.backend.rows("SELECT table_name, table_type FROM information_schema.tables"))
    assert kinds["again_outcomes"] == "VIEW"
    for what in ("outcomes", "population", "can_dat", "rule_facts"):
        query = "SELECT * FROM {} ORDER BY ALL"
        assert store.backend.rows(query.format(f"again_{what}")) == store.backend.rows(query.format(what))
    # Another setting is other rules: computed, and different here (a1's review is not "since diagnosis").
    other = store.scenario(
        "other", ruleset=load_ruleset(settings={"CAN004": {"review_window": "1 months"}}, today=TODAY)
    )
    assert other.shares is None and _outcomes(store, "other_outcomes", "CAN004")["a1"] != "met"
    # Sharing follows the first computation, not a chain of views.
    assert store.scenario("third").shares == ""


def test_only_sources_that_cannot_have_changed_are_shared(store):
    """A table made in the store (by a feature, say) may be made again with other rows: never shared,
    even when it holds the same rows now. A select over the loaded tables is shared."""
    store.backend.execute("CREATE TABLE copied AS SELECT * FROM patients")
    copied = store.scenario("copied_patients", patients="copied")
    assert copied.shares is None
    store.backend.execute("DELETE FROM copied WHERE patient_id = 'a2'")
    assert store.scenario("copied_again", patients="copied").shares is None
    assert "a2" not in _outcomes(store, "copied_again_outcomes", "CAN004")
    selected = store.scenario("sel_1", events="SELECT * FROM events WHERE date > DATE '2023-01-01'")
    assert selected.shares is None
    again = store.scenario("sel_2", events="SELECT * FROM events WHERE date > DATE '2023-01-01'")
    assert again.shares == "sel_1"
    assert _outcomes(store, "sel_2_outcomes", "CAN004") == _outcomes(store, "sel_1_outcomes", "CAN004")


def test_the_data_as_known_on_a_day(store):
    """known_on: records after the day unknown, and a registration end after it not yet known. On or
    after the achievement date it is the run's own data for the rules, and shared with the run."""
    ach = store.main.period.ach
    assert store.scenario("known_at_ach", known_on=ach).shares == ""
    before_review = store.scenario("known_before_review", known_on=date(2023, 5, 1))
    assert before_review.shares is None
    # a1's review (2023-06-01) is not yet recorded; a3 left on 2023-09-01, not yet known on 2023-05-01,
    # so still registered at ACH and on the lists.
    known = _outcomes(store, "known_before_review_outcomes", "CAN004")
    assert known == {"a1": "not_met", "a2": "not_met", "a3": "not_met"}
    with pytest.raises(ValueError, match="known_on replaces patients and events"):
        store.scenario("both", known_on=ach, patients="patients")


def test_a_shared_evaluation_cannot_be_replaced_under_its_views(store):
    """Re-evaluating a name another evaluation shares would change that one's tables: refused. A name
    that shared can be evaluated again as its own tables."""
    store.scenario("again")
    with pytest.raises(ValueError, match="shared by another evaluation"):
        store.evaluate(store.main.ruleset, store.main.period)
    earlier = store.scenario("again", period=Period(store.main.ruleset.year("2022-23"), date(2023, 3, 31)))
    assert earlier.shares is None and "a3" in _outcomes(store, "again_outcomes", "CAN001")
    with pytest.raises(ValueError, match="publish under another name"):
        store.publish("events", store.arrow("SELECT 1 AS x"))
