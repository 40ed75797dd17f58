"""FHIR resources of the wrong shape are reported and skipped: never a traceback, never silently dropped."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from qof_cancer.cli import main

NHS = {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
GOOD = {"resourceType": "Patient", "id": "ok", "gender": "female", "birthDate": "1950-01-01"}


def _import(tmp_path: Path, lines: list[str], name: str = "in.ndjson") -> tuple[int, list[dict]]:
    source = tmp_path / name
    source.write_text("\n".join([json.dumps(GOOD), *lines]) + "\n")
    out = tmp_path / "out"
    code = main(
        ["import", "fhir", str(source), "--out", str(out), "--practice-code", "A00001"]
        + ["--registration-start", "2000-01-01"]
    )
    with (out / "rejects.csv").open(newline="") as fh:
        return code, list(csv.DictReader(fh))


WRONG_TYPES = [
    ("gender a list", {**GOOD, "id": "a", "gender": ["female"]}),
    ("identifier a number", {**GOOD, "id": "a", "identifier": 5}),
    ("birthDate a number", {**GOOD, "id": "a", "birthDate": 19500101}),
    (
        "coding a number",
        {
            "resourceType": "Condition",
            "id": "c",
            "subject": {"reference": "Patient/ok"},
            "code": {"coding": 5},
        },
    ),
    ("subject a list", {"resourceType": "Observation", "id": "o", "subject": ["Patient/ok"], "code": {}}),
    ("huge number", {**GOOD, "id": "a", "birthDate": int("9" * 401)}),
]


@pytest.mark.parametrize(("title", "resource"), WRONG_TYPES, ids=[t for t, _ in WRONG_TYPES])
def test_a_wrong_typed_field_is_a_reject(tmp_path, capsys, title, resource):
    code, rejects = _import(tmp_path, [json.dumps(resource)])
    err = capsys.readouterr().err
    assert code == 0, err  # the good patient is still converted
    assert "Traceback" not in err
    assert len(rejects) >= 1 and all(r["position"] == "line 2" for r in rejects)


def test_deep_nesting_is_a_reject(tmp_path, capsys):
    deep = '{"resourceType":"Patient","id":"a","x":' + "[" * 5000 + "]" * 5000 + "}"
    code, rejects = _import(tmp_path, [deep])
    assert code == 0 and rejects[0]["position"] == "line 2"
    assert "Traceback" not in capsys.readouterr().err


def test_deeply_nested_bundles_are_a_reject(tmp_path, capsys):
    doc: dict = dict(GOOD)
    for _ in range(40):
        doc = {"resourceType": "Bundle", "entry": [{"resource": doc}]}
    code, rejects = _import(tmp_path, [json.dumps(doc)])
    assert code == 0 and "nested more than" in rejects[0]["reason"]


def test_an_identifier_object_is_reported_not_dropped(tmp_path):
    code, rejects = _import(tmp_path, [json.dumps({**GOOD, "id": "b", "identifier": NHS})])
    assert code == 0
    assert [(r["field"], r["action"]) for r in rejects] == [("identifier", "value ignored")]
    assert "NHS number in it was not read" in rejects[0]["reason"]


def test_a_truncated_gz_names_the_file(tmp_path, capsys):
    data = gzip.compress(
        ("\n".join(json.dumps({**GOOD, "id": f"p{i}"}) for i in range(2000)) + "\n").encode()
    )
    (tmp_path / "cut.ndjson.gz").write_bytes(data[: len(data) // 2])
    code = main(["import", "fhir", str(tmp_path / "cut.ndjson.gz"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert "Aborted" not in err and "Traceback" not in err
    text = (tmp_path / "o" / "rejects.csv").read_text()
    assert "truncated .gz" in text and code in (0, 2)
