"""FHIR R4 (UK Core, GP Connect, Synthea's US Core) to the data contract.

Patient -> patients; Condition, Observation and Procedure with a SNOMED CT coding -> events;
EpisodeOfCare and Organization resolve registration and the practice's ODS code. What each field is read
from, and every rule for leaving something out, is in docs/importing.md. The mapping of one resource is
a handler per resource type (`HANDLERS`); other types are counted and reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from qof_cancer.codes.snomed import check_concept_id, check_record_code
from qof_cancer.importers.fhir_fields import (
    EPISODES,
    EVENT_DATES,
    FALLBACK_DATES,
    GENDERS,
    NHS_NUMBER,
    NOT_EVENTS,
    ODS_SYSTEMS,
    SNOMED,
    get_path,
    identifier_value,
    reference_key,
)
from qof_cancer.importers.fhir_read import Located
from qof_cancer.importers.report import ImportReport, RejectLog
from qof_cancer.importers.staging import Stage
from qof_cancer.importers.values import nhs_number_problem, parse_fhir_date

__all__ = ["FhirOptions", "FhirConverter", "HANDLERS"]


@dataclass(frozen=True)
class FhirOptions:
    """`patient_id`: "fhir-id" (the Patient's logical id) or "nhs-number". `practice_code` and
    `registration_start`: used for patients whose records carry none (Synthea has neither), and counted.
    `code_systems`: coding systems besides SNOMED CT whose codes are taken as written (a practice's local
    codes, Read or CTV3 where a code list uses them); codings in any other system are counted, not used."""

    patient_id: str = "fhir-id"
    practice_code: str | None = None
    registration_start: date | None = None
    code_systems: tuple[str, ...] = ()  # other systems whose codes are taken as they are (local, Read)


# Extracts repeat a few thousand codes millions of times: check each once.
_concept_problem = lru_cache(maxsize=100_000)(check_concept_id)
_record_code_problem = lru_cache(maxsize=100_000)(check_record_code)


class Skip(Exception):
    """A resource (or a value) not converted: field, value, reason."""

    def __init__(self, field_name: str, value: object, reason: str):
        super().__init__(reason)
        self.field, self.value, self.reason = field_name, value, reason


@dataclass
class FhirConverter:
    """Turns located resources into staged rows; remembers organisations and registrations."""

    stage: Stage
    rejects: RejectLog
    report: ImportReport
    options: FhirOptions = field(default_factory=FhirOptions)
    organisations: dict[str, str] = field(default_factory=dict)  # Organization key -> ODS code
    # patient key -> (start, end, ODS code or None, organisation key or None)
    episodes: dict[str, tuple[date, date | None, str | None, str | None]] = field(default_factory=dict)

    def convert(self, item: Located) -> None:
        """Stage one resource, or report why not. Other resource types are counted."""
        kind = item.resource["resourceType"]
        handler = HANDLERS.get(kind)
        if handler is None:
            self.report.other_types[kind] += 1
            return
        self.report.read[kind] += 1
        try:
            handler(self, item)
        except Skip as skip:
            self.rejects.add(item.file, item.position, kind, skip.field, skip.value, skip.reason)
        except (TypeError, AttributeError, KeyError, ValueError, OverflowError, RecursionError) as exc:
            # A field of the wrong JSON type ("gender": ["female"], "coding": 5): the resource is not
            # FHIR R4, so it is reported and skipped, never guessed at and never a traceback.
            if kind == "Patient" and isinstance(item.resource.get("id"), str):
                self.stage.rejected[f"Patient/{item.resource['id']}"] = "not FHIR R4"
            reason = f"a field has the wrong JSON type for FHIR R4 ({type(exc).__name__})"
            self.rejects.add(item.file, item.position, kind, "(resource)", "", reason)

    # Patients ---------------------------------------------------------------------------------------
    def patient(self, item: Located) -> None:
        r, where = item.resource, (item.file, item.position, "Patient")
        key = f"Patient/{r['id']}" if isinstance(r.get("id"), str) and r["id"] else item.full_url
        if key is None:
            raise Skip("id", None, "Patient has no id and no fullUrl: nothing can refer to it")
        if not isinstance(
            r.get("identifier"), list | None
        ):  # FHIR R4 has a list; one object is a common slip
            self.rejects.add(
                *where,
                "identifier",
                f"(a JSON {type(r['identifier']).__name__}, not a list)",
                "identifier must be a list of identifiers: the NHS number in it was not read",
                "value ignored",
                count=False,
            )
            self.report.notes[("Patient", "identifier not a list: NHS number left out")] += 1
        nhs = identifier_value(r, (NHS_NUMBER,)) if isinstance(r.get("identifier"), list | None) else None
        if nhs is not None:
            nhs = nhs.replace(" ", "")
            if problem := nhs_number_problem(nhs):
                self.rejects.add(*where, "identifier", nhs, problem, "value ignored", count=False)
                self.report.notes[("Patient", "NHS number not valid: left out")] += 1
                nhs = None
        if self.options.patient_id == "nhs-number":
            if nhs is None:
                self._reject_patient(key, "identifier", None, "no valid NHS number (--patient-id nhs-number)")
            patient_id = nhs
        else:
            patient_id = key.removeprefix("Patient/").removeprefix("urn:uuid:")
        try:
            self.stage.aliases.update(
                {alias: key for alias in (item.full_url, nhs and f"nhs:{nhs}") if alias and alias != key}
            )
            dob = self._date(r, "birthDate", required=True)
            death = self._date(r, "deceasedDateTime")
            if death is None and r.get("deceasedBoolean") is True:
                raise Skip(
                    "deceasedBoolean", True, "deceased with no date of death: the date decides the population"
                )
            start, end = self._registration_extension(r)
        except Skip as skip:
            self._reject_patient(key, skip.field, skip.value, skip.reason)
        gender = r.get("gender")
        if gender is None:
            self.report.notes[("Patient", "gender absent: sex U (unknown)")] += 1
        elif gender not in GENDERS:
            self._reject_patient(key, "gender", gender, "gender must be female, male, other or unknown")
        ods, practice_ref = self._practice(r, item.urls)
        self.stage.patients.add(
            {
                "_key": key,
                "_practice_ref": practice_ref,
                "patient_id": patient_id,
                "practice_code": ods,
                "date_of_birth": dob,
                "sex": GENDERS.get(gender or "unknown"),
                "registration_start": start,
                "registration_end": end,
                "date_of_death": death,
                "nhs_number": nhs,
                "_file": item.file,
                "_position": item.position,
                "_kind": "Patient",
            }
        )

    def _reject_patient(self, key: str, field_name: str, value: object, reason: str) -> None:
        self.stage.rejected[key] = reason
        raise Skip(field_name, value, reason)

    def _date(self, r: dict, name: str, required: bool = False) -> date | None:
        value = r.get(name)
        if value is None:
            if required:
                raise Skip(name, None, "required value missing")
            return None
        try:
            return parse_fhir_date(value)
        except ValueError as exc:
            raise Skip(name, value, str(exc)) from None

    def _registration_extension(self, r: dict) -> tuple[date | None, date | None]:
        """CareConnect / GP Connect registration details: extension `registrationPeriod` (valuePeriod)."""
        for ext in r.get("extension") or []:
            if not (isinstance(ext, dict) and "registrationdetails" in str(ext.get("url", "")).lower()):
                continue
            for sub in ext.get("extension") or []:
                if isinstance(sub, dict) and sub.get("url") == "registrationPeriod":
                    period = sub.get("valuePeriod") or {}
                    return (
                        self._date(period, "start") if isinstance(period, dict) else None,
                        self._date(period, "end") if isinstance(period, dict) else None,
                    )
        return None, None

    def _practice(self, r: dict, urls: dict[str, str]) -> tuple[str | None, str | None]:
        """(ODS code given inline, or a reference to an Organization to look up at the end)."""
        refs = [reference_key(gp, urls) for gp in r.get("generalPractitioner") or []]
        for ref in refs:
            if ref and ref.startswith("ods:"):
                return ref[4:], None
        orgs = [ref for ref in refs if ref and not ref.startswith(("Practitioner", "PractitionerRole"))]
        return None, (orgs[0] if orgs else None)

    def organisation(self, item: Located) -> None:
        r = item.resource
        ods = identifier_value(r, ODS_SYSTEMS)
        key = f"Organization/{r['id']}" if isinstance(r.get("id"), str) else item.full_url
        if ods is None or key is None:
            self.report.notes[("Organization", "no ODS code: cannot be a registered practice")] += 1
            return
        self.organisations[key] = ods.upper()
        for alias in (item.full_url, f"ods:{ods.upper()}"):
            if alias:
                self.organisations[alias] = ods.upper()
        self.report.converted["Organization"] += 1

    def episode_of_care(self, item: Located) -> None:
        """A registration: period and managingOrganization. The latest start wins per patient."""
        r = item.resource
        if r.get("status") == "entered-in-error":
            raise Skip("status", "entered-in-error", "entered in error")
        key = reference_key(r.get("patient"), item.urls)
        if key is None:
            raise Skip("patient", r.get("patient"), "required value missing (no patient reference)")
        period = r.get("period") if isinstance(r.get("period"), dict) else {}
        start = self._date(period, "start")
        if start is None:
            raise Skip("period.start", None, "required value missing (no registration start)")
        end = self._date(period, "end")
        org = reference_key(r.get("managingOrganization"), item.urls)
        ods = org[4:] if org and org.startswith("ods:") else None
        previous = self.episodes.get(key)
        if previous is not None:
            self.report.notes[
                ("EpisodeOfCare", "a patient has several: the one starting latest is used")
            ] += 1
        if previous is None or start > previous[0]:
            self.episodes[key] = (start, end, ods, None if ods else org)
        self.report.converted["EpisodeOfCare"] += 1

    def resolve_episodes(self) -> None:
        """Re-key registrations by patient key (an EpisodeOfCare may name its patient by fullUrl)."""
        episodes: dict[str, tuple[date, date | None, str | None, str | None]] = {}
        for ref, episode in self.episodes.items():
            key = self.stage.aliases.get(ref, ref)
            if key not in episodes or episode[0] > episodes[key][0]:
                episodes[key] = episode
        self.episodes = episodes

    def complete(self, row: dict) -> tuple[str, str] | None:
        """At the end: resolve the practice and registration; apply the options' defaults, counted."""
        episode = self.episodes.get(row["_key"])
        if row["practice_code"] is None and row["_practice_ref"]:
            row["practice_code"] = self.organisations.get(row["_practice_ref"])
        if row["registration_start"] is None and episode is not None:
            row["registration_start"], row["registration_end"] = episode[0], episode[1]
            self.report.notes[("Patient", "registration from EpisodeOfCare")] += 1
        if row["practice_code"] is None and episode is not None:
            row["practice_code"] = episode[2] or self.organisations.get(episode[3] or "")
        if row["practice_code"] is None and self.options.practice_code:
            row["practice_code"] = self.options.practice_code
            self.report.notes[("Patient", "practice code from --practice-code (none in the records)")] += 1
        if row["registration_start"] is None and self.options.registration_start:
            row["registration_start"] = self.options.registration_start
            self.report.notes[
                ("Patient", "registration start from --registration-start (none in the records)")
            ] += 1
        if row["practice_code"] is None:
            return (
                "generalPractitioner",
                "no registered practice ODS code (generalPractitioner or EpisodeOfCare); give --practice-code",
            )
        if row["registration_start"] is None:
            return (
                "registration",
                "no registration start (registration-details extension or EpisodeOfCare); give --registration-start",
            )
        return None

    # Events -----------------------------------------------------------------------------------------
    def event(self, item: Located) -> None:
        r, kind = item.resource, item.resource["resourceType"]
        status_field, bad = NOT_EVENTS[kind]
        status = r.get(status_field)
        if isinstance(status, dict):  # Condition.verificationStatus is a CodeableConcept
            status = next((c.get("code") for c in status.get("coding") or [] if isinstance(c, dict)), None)
        if status in bad:
            raise Skip(status_field, status, f"{status}: not a clinical event")
        key = reference_key(r.get("subject"), item.urls)
        if key is None:
            raise Skip("subject", r.get("subject"), "required value missing (no patient reference)")
        codes = self._snomed_codes(r, kind)
        when = self._event_date(r, kind)
        episode = self._episode(item, kind)
        value = get_path(r, ("valueQuantity", "value"))
        unit = get_path(r, ("valueQuantity", "unit")) or get_path(r, ("valueQuantity", "code"))
        for n, code in enumerate(codes):
            self.stage.events.add(
                {
                    "_key": key,
                    "code": code,
                    "date": when,
                    "episode": episode,
                    "value": float(value)
                    if isinstance(value, int | float) and not isinstance(value, bool)
                    else None,
                    "unit": unit if isinstance(unit, str) else None,
                    "_file": item.file,
                    "_position": item.position,
                    "_kind": kind,
                    "_first": n == 0,
                }
            )
        if len(codes) > 1:
            self.report.notes[(kind, "with several SNOMED CT codes: one event per code")] += 1

    def _snomed_codes(self, r: dict, kind: str) -> list[str]:
        codings = [c for c in get_path(r, ("code", "coding")) or [] if isinstance(c, dict)]
        if not codings:
            raise Skip("code", r.get("code"), "no coded value (code.coding is empty)")
        codes, others, bad = [], [], []
        for c in codings:
            code = str(c.get("code", "")).strip()
            if c.get("system") == SNOMED:
                problem = _concept_problem(code)
            elif c.get("system") in self.options.code_systems:
                problem = _record_code_problem(code)
            else:
                others.append(str(c.get("system")))
                continue
            if problem:
                bad.append((code, problem))
            elif code not in codes:
                codes.append(code)
        if not codes:
            if bad:
                raise Skip("code.coding.code", bad[0][0], bad[0][1])
            raise Skip(
                "code.coding.system",
                "; ".join(sorted(set(others))),
                "no SNOMED CT coding (--code-system takes codes in another system as written)",
            )
        for system in others:
            self.report.notes[(kind, f"codings in {system} left out (a SNOMED CT coding was used)")] += 1
        return codes

    def _event_date(self, r: dict, kind: str) -> date:
        for path in EVENT_DATES[kind]:
            value = get_path(r, path)
            if value is None:
                continue
            try:
                when = parse_fhir_date(value)
            except ValueError as exc:
                raise Skip(".".join(path), value, str(exc)) from None
            if path[-1] == FALLBACK_DATES.get(kind):
                self.report.notes[(kind, f"date from {path[-1]} (no clinical date)")] += 1
            return when
        names = ", ".join(".".join(p) for p in EVENT_DATES[kind])
        raise Skip("date", None, f"no date (none of {names})")

    def _episode(self, item: Located, kind: str) -> str | None:
        extensions = item.resource.get("extension") if kind == "Condition" else None
        for ext in extensions or []:
            if isinstance(ext, dict) and "conditionepisode" in str(ext.get("url", "")).lower():
                raw = ext.get("valueCode") or get_path(ext, ("valueCodeableConcept", "coding"))
                if isinstance(raw, list):
                    raw = raw[0].get("code") if raw and isinstance(raw[0], dict) else None
                if isinstance(raw, str) and raw.lower() in EPISODES:
                    return EPISODES[raw.lower()]
                self.rejects.add(
                    item.file,
                    item.position,
                    kind,
                    "extension(episode)",
                    raw,
                    "unknown episodicity",
                    "value ignored",
                    count=False,
                )
        return None


HANDLERS: dict[str, Callable[[FhirConverter, Located], None]] = {
    "Patient": FhirConverter.patient,
    "Condition": FhirConverter.event,
    "Observation": FhirConverter.event,
    "Procedure": FhirConverter.event,
    "EpisodeOfCare": FhirConverter.episode_of_care,
    "Organization": FhirConverter.organisation,
}
