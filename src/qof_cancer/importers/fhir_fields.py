"""FHIR R4 vocabulary the importer reads: systems, value maps, where dates are, and reference resolution."""

from __future__ import annotations

__all__ = [
    "SNOMED",
    "NHS_NUMBER",
    "ODS_CODE",
    "ODS_SYSTEMS",
    "GENDERS",
    "EPISODES",
    "EVENT_DATES",
    "FALLBACK_DATES",
    "NOT_EVENTS",
    "get_path",
    "reference_key",
    "identifier_value",
]

SNOMED = "http://snomed.info/sct"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
ODS_SYSTEMS = (ODS_CODE, "https://fhir.nhs.uk/Id/ods-site-code")
GENDERS = {"female": "F", "male": "M", "other": "I", "unknown": "U"}
# Episodicity (CareConnect / GP Connect Condition episode extension) -> the data contract's words.
EPISODES = {
    "first": "first",
    "new": "new",
    "review": "review",
    "end": "ended",
    "ended": "ended",
    "change": "changed",
    "changed": "changed",
    "evolved": "evolved",
    "flare": "flare-up",
    "flare-up": "flare-up",
}
# Where each event type's date is read from, in order; the last entry of each is a fallback, noted.
EVENT_DATES: dict[str, tuple[tuple[str, ...], ...]] = {
    "Condition": (("onsetDateTime",), ("onsetPeriod", "start"), ("recordedDate",)),
    "Observation": (("effectiveDateTime",), ("effectivePeriod", "start"), ("effectiveInstant",), ("issued",)),
    "Procedure": (("performedDateTime",), ("performedPeriod", "start")),
}
FALLBACK_DATES = {"Condition": "recordedDate", "Observation": "issued"}
# Records that say the thing did not happen, or was a mistake: not clinical events.
NOT_EVENTS = {
    "Condition": ("verificationStatus", {"entered-in-error", "refuted"}),
    "Observation": ("status", {"entered-in-error", "cancelled"}),
    "Procedure": ("status", {"entered-in-error", "not-done"}),
}


def get_path(resource: dict, path: tuple[str, ...]) -> object:
    value: object = resource
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value


def reference_key(ref: object, urls: dict[str, str]) -> str | None:
    """A Reference to the key of what it names: `Patient/123`, a fullUrl, or `nhs:<number>`."""
    if not isinstance(ref, dict):
        return None
    text = ref.get("reference")
    if isinstance(text, str) and text.strip():
        text = text.strip()
        if text in urls:
            return urls[text]
        text = text.split("/_history/")[0]
        if text.startswith(("http://", "https://")):
            return "/".join(text.rstrip("/").split("/")[-2:])  # https://server/fhir/Patient/1 -> Patient/1
        return text
    ident = ref.get("identifier")
    if isinstance(ident, dict) and isinstance(ident.get("value"), str):
        if ident.get("system") == NHS_NUMBER:
            return "nhs:" + ident["value"].replace(" ", "")
        if ident.get("system") in ODS_SYSTEMS:
            return "ods:" + ident["value"].strip().upper()
    return None


def identifier_value(resource: dict, systems: tuple[str, ...]) -> str | None:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") in systems and isinstance(ident.get("value"), str):
            return ident["value"].strip()
    return None
