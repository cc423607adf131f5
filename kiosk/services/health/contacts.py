"""My health contacts: the people and offices in the patient's active care teams.

Each CareTeam participant's name comes from the reference's ``display``; its phone number from
the member's own resource (Practitioner, PractitionerRole or Organization), read once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.services.fhir import FhirClient, check_id
from kiosk.services.health.fhirdata import patient_query, person_name, reference_of, text_of

MEMBER_TYPES = ("Practitioner", "PractitionerRole", "Organization")


@dataclass(frozen=True)
class HealthContact:
    name: str
    role: str
    phone: str | None
    reference: str


def _phone(resource: dict[str, Any]) -> str | None:
    for point in resource.get("telecom") or []:
        if isinstance(point, dict) and point.get("system") == "phone" and point.get("value"):
            return str(point["value"])
    return None


def health_contacts(fhir: FhirClient, token: str, patient_id: str) -> list[HealthContact]:
    """Everyone in the patient's active care teams, once each, in the order the teams list them."""
    teams = fhir.search(
        "CareTeam", {"subject": patient_query(patient_id), "status": "active", "_count": 100},
        token,
    )
    members: dict[str, dict[str, Any]] = {}
    contacts: list[HealthContact] = []
    for team in teams:
        for participant in team.get("participant") or []:
            member = (participant or {}).get("member") or {}
            reference = reference_of(member)
            kind, _, rid = reference.partition("/")
            if kind not in MEMBER_TYPES or reference in {c.reference for c in contacts}:
                continue
            if reference not in members:
                members[reference] = fhir.read(kind, check_id(rid), token)
            resource = members[reference]
            roles = [text_of(r) for r in participant.get("role") or []]
            contacts.append(HealthContact(
                name=str(member.get("display") or "") or _name_of(resource),
                role=", ".join(r for r in roles if r),
                phone=_phone(resource), reference=reference,
            ))
    return contacts


def _name_of(resource: dict[str, Any]) -> str:
    # An Organization's name is a string; a person's is a list of HumanNames.
    if resource.get("resourceType") == "Organization":
        return str(resource.get("name") or "")
    return person_name(resource)
