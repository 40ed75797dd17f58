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
