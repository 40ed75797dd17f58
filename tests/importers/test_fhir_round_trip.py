"""The spec's cancer cases written as FHIR, converted, and run: the same outcomes as the same patients
written directly in the data contract.

Each case becomes a UK Core Patient (NHS number, registered practice by ODS code, registration details
extension, deceasedDateTime) with its records as Condition (CAN_COD), Procedure (MDRV_COD) and Observation
(the rest). Half the patients go in one Bundle per patient with `urn:uuid` references, half in bulk-export
NDJSON with `Patient/<id>` references. The invitation, PCA and support clusters are bundled as local
example codes, so those codings carry a local system, taken with `code_systems`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from qof_cancer import api
from qof_cancer.engine.reference import Event, Patient
from qof_cancer.importers import FhirOptions, import_fhir
from qof_cancer.importers.fhir_fields import NHS_NUMBER, ODS_CODE, SNOMED
from tests.helpers import as_event, cluster_code, write_inputs
from tests.spec.test_cancer_cases import CASES, TODAY, _group_key, case_settings

LOCAL = "https://fhir.example-practice.nhs.uk/CodeSystem/local-codes"
DOB = date(1950, 1, 1)
REGISTRATION = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1"
EPISODE = "https://fhir.hl7.org.uk/StructureDefinition/Extension-CareConnect-ConditionEpisode-1"
_KIND = {cluster_code("CAN_COD"): "Condition", cluster_code("MDRV_COD"): "Procedure"}
_DATE_FIELD = {
    "Condition": "onsetDateTime",
    "Procedure": "performedDateTime",
    "Observation": "effectiveDateTime",
}

# Beyond the spec's cases: episodicity travels through the Condition episode extension.
EXTRA = [
    {
        "title": "A later CAN_COD record marked review does not move CAN_DAT",
        "events": [
            ["CAN_COD", "2022-09-01"],
            ["CAN_COD", "2023-06-01", "review"],
            ["MDRV_COD", "2023-08-01"],
        ],
    }
]


def _nhs_number(i: int) -> str:
    """A valid NHS number for case i (modulus 11), from the 999 test range."""
    for n in range(999_000_000 + i * 10, 999_000_000 + i * 10 + 10):
        total = sum(int(d) * w for d, w in zip(str(n), range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return f"{n}{check}"
    raise AssertionError(i)


def _patient_resource(p: Patient, nhs: str) -> dict:
    period = {"start": p.registration_start.isoformat()}
    if p.registration_end:
        period["end"] = p.registration_end.isoformat()
    resource = {
        "resourceType": "Patient",
        "id": p.patient_id,
        "extension": [
            {"url": REGISTRATION, "extension": [{"url": "registrationPeriod", "valuePeriod": period}]}
        ],
        "identifier": [{"system": NHS_NUMBER, "value": nhs}],
        "gender": "female",
        "birthDate": DOB.isoformat(),
        "generalPractitioner": [
            {"type": "Organization", "identifier": {"system": ODS_CODE, "value": p.practice_code}}
        ],
    }
    if p.date_of_death:
        resource["deceasedDateTime"] = f"{p.date_of_death.isoformat()}T08:00:00+00:00"
    return resource


def _event_resource(e: Event, n: int, subject: str) -> dict:
    kind = _KIND.get(e.code, "Observation")
    system = SNOMED if e.code.isdigit() else LOCAL
    resource = {
        "resourceType": kind,
        "id": f"{subject.rsplit('/', 1)[-1]}-{n}",
        "code": {"coding": [{"system": system, "code": e.code}]},
        "subject": {"reference": subject},
        _DATE_FIELD[kind]: e.date.isoformat(),
    }
    if kind != "Condition":
        resource["status"] = "final" if kind == "Observation" else "completed"
    if e.episode:
        resource["extension"] = [{"url": EPISODE, "valueCode": e.episode}]
    return resource


def _write_fhir(folder: Path, patients: list[Patient]) -> None:
    folder.mkdir(parents=True)
    ndjson: dict[str, list[str]] = defaultdict(list)
    for i, p in enumerate(patients):
        nhs = _nhs_number(i)
        if i % 2:  # bulk export: one resource a line, references Patient/<id>
            ndjson["Patient"].append(json.dumps(_patient_resource(p, nhs)))
            for n, e in enumerate(p.events):
                resource = _event_resource(e, n, f"Patient/{p.patient_id}")
                ndjson[resource["resourceType"]].append(json.dumps(resource))
            continue
        patient_url = f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
        entries = [{"fullUrl": patient_url, "resource": _patient_resource(p, nhs)}]
        for n, e in enumerate(p.events):
            entries.append(
                {
                    "fullUrl": f"urn:uuid:00000000-0000-4000-9000-{i:06d}{n:06d}",
                    "resource": _event_resource(e, n, patient_url),
                }
            )
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        (folder / f"bundle-{i:03d}.json").write_text(json.dumps(bundle))
    for kind, lines in ndjson.items():
        (folder / f"{kind}.ndjson").write_text("\n".join(lines) + "\n")


def _patients(members: list[tuple[int, dict]]) -> list[Patient]:
    return [
        Patient(
            patient_id=f"case{i:03d}",
            practice_code="A00001",
            registration_start=case.get("registered", date(2000, 1, 1)),
            registration_end=case.get("registration_end"),
            date_of_death=case.get("date_of_death"),
            events=tuple(as_event(e) for e in case["events"]),
        )
        for i, case in members
    ]


def _groups() -> dict[tuple, list[tuple[int, dict]]]:
    groups: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for i, case in enumerate([*CASES, *EXTRA]):
        if not case.get("codes"):  # cases with their own code lists are about code lists, not input formats
            groups[_group_key(case)].append((i, case))
    return groups


GROUPS = _groups()


def _sorted(table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


@pytest.mark.parametrize("key", list(GROUPS), ids=lambda k: f"{k[0]}-{k[1] or 'year-end'}")
def test_converted_fhir_gives_the_same_outcomes(tmp_path, key):
    year, as_of, settings = key[0], key[1], case_settings(key)
    patients = _patients(GROUPS[key])
    direct_patients, direct_events = write_inputs(tmp_path / "direct", patients, dob=DOB)
    _write_fhir(tmp_path / "fhir", patients)
    report = import_fhir([tmp_path / "fhir"], tmp_path / "converted", FhirOptions(code_systems=(LOCAL,)))
    assert not (tmp_path / "converted" / "rejects.csv").exists()
    assert report.patients_written == len(patients)
    assert report.events_written == sum(len(p.events) for p in patients)

    direct = api.run(direct_patients, direct_events, year=year, as_of=as_of, today=TODAY, settings=settings)
    converted = api.run(
        tmp_path / "converted" / "patients.parquet",
        tmp_path / "converted" / "events.parquet",
        year=year,
        as_of=as_of,
        today=TODAY,
        settings=settings,
    )
    assert converted.load.rows_rejected == direct.load.rows_rejected == 0
    assert direct.outcomes.num_rows > 0
    assert _sorted(converted.outcomes) == _sorted(direct.outcomes)
    assert _sorted(converted.summary) == _sorted(direct.summary)
