"""A run with a cluster folder built by `codes import` gives the same outcomes as the same codes supplied
directly, and the outputs name the imported list."""

from __future__ import annotations

import csv
from datetime import date

from qof_cancer import api
from qof_cancer.codes import load_clusters
from qof_cancer.codes.folder import import_clusters
from qof_cancer.engine.reference import Patient
from tests.helpers import as_event, write_inputs

TODAY = date(2026, 6, 1)


def test_imported_folder_runs_like_the_same_codes_given_directly(tmp_path):
    # A "national" CAN_COD and MDRV_COD: a few real bundled codes, as OpenCodelists downloads.
    can = sorted(load_clusters()["CAN_COD"].codes)[:3]
    lists = {"CAN_COD": can, "MDRV_COD": ["720006006"]}
    (tmp_path / "dl").mkdir()
    (tmp_path / "direct").mkdir()
    for cluster, codes in lists.items():
        body = "code,term\n" + "".join(f"{c},term {c}\n" for c in codes)
        (tmp_path / "dl" / f"nhsd-primary-care-domain-refsets-{cluster.lower()}.csv").write_text(body)
        (tmp_path / "direct" / f"{cluster}.csv").write_text(body)
    import_clusters(tmp_path / "dl", tmp_path / "imported", list(lists))

    patients = [
        Patient(
            "a",
            "A1",
            date(2000, 1, 1),
            events=(as_event([can[0], "2023-02-01"]), as_event(["MDRV_COD", "2023-06-01"])),
        ),
        Patient("b", "A1", date(2000, 1, 1), events=(as_event([can[2], "2023-05-01"]),)),
        # Coded with a CAN_COD code that the imported list does not hold: not on its register.
        Patient(
            "c",
            "A1",
            date(2000, 1, 1),
            events=(as_event([sorted(load_clusters()["CAN_COD"].codes)[5], "2023-05-01"]),),
        ),
    ]
    ppath, epath = write_inputs(tmp_path / "in", patients)
    imported = api.run(
        ppath, epath, year="2023-24", codes=tmp_path / "imported", out=tmp_path / "o1", today=TODAY
    )
    direct = api.run(
        ppath, epath, year="2023-24", codes=tmp_path / "direct", out=tmp_path / "o2", today=TODAY
    )

    assert imported.outcomes.to_pylist() == direct.outcomes.to_pylist()
    assert {r["patient_id"] for r in imported.outcomes.to_pylist()} == {"a", "b"}
    with (tmp_path / "o1" / "summary.csv").open() as fh:
        lists_used = next(csv.DictReader(fh))["code_lists"]
    assert "CAN_COD opencodelists" in lists_used
    assert "CAN_COD user" in (tmp_path / "o2" / "summary.csv").read_text()
