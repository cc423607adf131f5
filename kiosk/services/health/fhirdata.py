"""Small readers and writers of FHIR R4 data types shared by the health task modules.

Readers are lenient about what is missing (a list shows what it can) but strict about what is
wrong: a malformed date or a date and time without a time zone is a ``BadResponse``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from kiosk.services.fhir import check_id
from kiosk.services.http import BadResponse

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def person_name(resource: dict[str, Any]) -> str:
    """The name to call a person (Patient, RelatedPerson, Practitioner) by: the official
    HumanName if there is one, else the first; its text, else its prefix, given and family
    names. Empty when the resource names nobody."""
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    if not names:
        return ""
    name = next((n for n in names if n.get("use") == "official"), names[0])
    if name.get("text"):
        return str(name["text"])
    parts = [*(name.get("prefix") or []), *(name.get("given") or []), name.get("family") or ""]
    return " ".join(str(p) for p in parts if p)


def patient_ref(patient_id: str) -> dict[str, str]:
    """A Reference to the patient, checked so it cannot smuggle a path or query."""
    return {"reference": f"Patient/{check_id(patient_id)}"}


def patient_query(patient_id: str) -> str:
    """The value of a ``patient=`` or ``subject=`` search parameter."""
    return patient_ref(patient_id)["reference"]


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def instant(moment: datetime) -> str:
    """A FHIR instant from an aware datetime (naive ones are a programming error)."""
    if moment.tzinfo is None:
        raise ValueError("a FHIR instant needs a time zone")
    return moment.isoformat(timespec="seconds")


def payload_text(communication: dict[str, Any]) -> str:
    """The text parts of a Communication's payload, one per line."""
    return "\n".join(
        str(p["contentString"]) for p in communication.get("payload") or []
        if isinstance(p, dict) and p.get("contentString")
    )


def text_of(concept: Any) -> str:
    """What a CodeableConcept says: its text, else the first coding's display, else its code."""
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for item in concept.get("coding") or []:
        if isinstance(item, dict) and (item.get("display") or item.get("code")):
            return str(item.get("display") or item.get("code"))
    return ""


def codes_of(concept: Any, system: str | None = None) -> set[str]:
    """The codes in a CodeableConcept, of one code system if ``system`` is given."""
    if not isinstance(concept, dict):
        return set()
    return {
        str(item["code"]) for item in concept.get("coding") or []
        if isinstance(item, dict) and item.get("code")
        and (system is None or item.get("system") == system)
    }


def reference_of(value: Any) -> str:
    """The ``reference`` string of a Reference ("" when there is none)."""
    return str(value.get("reference") or "") if isinstance(value, dict) else ""


def parse_instant(value: Any, what: str) -> datetime | None:
    """A FHIR dateTime with a time as an aware datetime; None when absent or only a date."""
    if value is None or (isinstance(value, str) and "T" not in value):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise BadResponse(f"{what}: not a date and time") from exc
    if moment.tzinfo is None:
        raise BadResponse(f"{what}: time has no time zone")
    return moment


def parse_day(value: Any, what: str) -> date | None:
    """The calendar day of a FHIR date or dateTime; a year or year-month means its first day."""
    if value is None:
        return None
    match = _DAY.match(str(value))
    if not match:
        raise BadResponse(f"{what}: not a date")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadResponse(f"{what}: not a date") from exc
