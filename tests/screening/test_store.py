"""Screening computed in a store that is already open (the dashboard's run): DuckDB only, and said so."""

from __future__ import annotations

from datetime import date

import pytest

from qof_cancer.engine.context import FeatureUnsupported
from qof_cancer.engine.run import Run
from qof_cancer.screening import screening_clusters, screening_from_store
from tests.screening.helpers import P, write_screening_inputs

AS_OF = date(2025, 11, 15)


def test_a_store_of_another_engine_is_refused_in_words(tmp_path, postgres_dsn):
    from qof_cancer.inputs.postgres import PostgresBackend

    patients, events = write_screening_inputs(
        tmp_path, [P("w1", date(1970, 3, 1), events=[("SMEAR_COD", date(2024, 1, 10))])]
    )
    clusters = screening_clusters(None)
    backend = PostgresBackend.connect(postgres_dsn)
    try:
        store = Run.open(backend, clusters, patients, events, AS_OF)
        assert store.load.patients_kept == 1  # a real store, loaded: only the screening SQL is DuckDB's
        with pytest.raises(FeatureUnsupported, match="screening runs on DuckDB only, not on postgres"):
            screening_from_store(store, AS_OF, clusters)
    finally:
        backend.close()


def test_a_store_without_the_screening_lists_is_refused(tmp_path):
    """Coverage counted without the screening records would be 0% in silence: the store must hold them."""
    import duckdb

    from qof_cancer.codes import load_clusters
    from qof_cancer.inputs.backends import DuckDBBackend

    patients, events = write_screening_inputs(
        tmp_path, [P("w1", date(1970, 3, 1), events=[("SMEAR_COD", date(2024, 1, 10))])]
    )
    backend = DuckDBBackend(duckdb.connect())
    try:
        store = Run.open(backend, load_clusters(), patients, events, AS_OF)  # the cancer lists only
        with pytest.raises(ValueError, match="did not load the screening code lists .*SMEAR_COD"):
            screening_from_store(store, AS_OF, screening_clusters(None))
    finally:
        backend.close()


def test_in_a_store_that_loaded_them_the_tables_are_those_of_qof_cancer_screening(tmp_path):
    import duckdb

    from qof_cancer.inputs.backends import DuckDBBackend
    from qof_cancer.screening import run_screening

    people = [
        P("w1", date(1970, 3, 1), events=[("SMEAR_COD", date(2024, 1, 10))]),
        P("w2", date(1975, 6, 1)),
        P("m1", date(1960, 1, 1), sex="M"),
    ]
    patients, events = write_screening_inputs(tmp_path, people)
    clusters = screening_clusters(None)
    backend = DuckDBBackend(duckdb.connect())
    try:
        store = Run.open(backend, clusters, patients, events, AS_OF)
        in_store = screening_from_store(store, AS_OF, clusters)
    finally:
        backend.close()
    alone = run_screening(patients, events, as_of=AS_OF, today=AS_OF)
    assert set(in_store.tables) == set(alone.tables)
    for name, table in alone.tables.items():
        assert in_store.tables[name].equals(table), name
    covered = {(r["patient_id"], r["programme"]): r["covered"] for r in in_store.cohort.to_pylist()}
    assert covered[("w1", "cervical_50_64")] is True and covered[("w2", "cervical_50_64")] is False
