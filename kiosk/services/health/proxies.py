"""Proxies (fullmakt): register a person who may act for the patient, and list them.

A proxy is a RelatedPerson of the patient with the role ``HPOWATT`` (healthcare power of
attorney) and a period: from a day, until a day or open-ended. Who may give or be a proxy at
which age is the policy module's decision; this module only writes and reads the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.fhirdata import (
    codes_of,
    coding,
    parse_day,
    patient_query,
    patient_ref,
)

ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
PROXY_ROLE = "HPOWATT"
_ROLE = re.compile(r"^[A-Z]{2,12}$")


@dataclass(frozen=True)
class RelatedPersonRecord:
    id: str
    name: str
    relationships: tuple[str, ...]
    """v3-RoleCode codes, e.g. ("HPOWATT", "SPS")."""
    active: bool
    start: date | None
    end: date | None

    @property
    def is_proxy(self) -> bool:
        return PROXY_ROLE in self.relationships

    def in_force(self, day: date) -> bool:
        """Active, started, and not yet ended on ``day``."""
        return (self.active and (self.start is None or self.start <= day)
                and (self.end is None or day <= self.end))


def register_proxy(
    patient_id: str, name: str, start: date, end: date | None = None,
    relationship: str | None = None,
) -> submission.Submission:
    """A RelatedPerson making ``name`` the patient's proxy from ``start`` (until ``end``).

    ``relationship`` is a v3-RoleCode family code such as SPS (spouse) or DAU (daughter).
    """
    shown = " ".join(name.split())
    if not shown:
        raise ValueError("a proxy needs a name")
    if end is not None and end < start:
        raise ValueError("a proxy cannot end before it starts")
    roles = [{"coding": [coding(ROLE_SYSTEM, PROXY_ROLE, "healthcare power of attorney")]}]
    if relationship is not None:
        if not _ROLE.match(relationship) or relationship == PROXY_ROLE:
            raise ValueError(f"not a v3-RoleCode family relationship: {relationship!r}")
        roles.append({"coding": [coding(ROLE_SYSTEM, relationship)]})
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return submission.create("RelatedPerson", {
        "active": True,
        "patient": patient_ref(patient_id),
        "relationship": roles,
        "name": [{"text": shown}],
        "period": period,
    })


def _name(person: dict[str, Any]) -> str:
    for name in person.get("name") or []:
        if not isinstance(name, dict):
            continue
        if name.get("text"):
            return str(name["text"])
        parts = [*(name.get("given") or []), name.get("family") or ""]
        if any(parts):
            return " ".join(str(p) for p in parts if p)
    return ""


def related_people(fhir: FhirClient, token: str, patient_id: str) -> list[RelatedPersonRecord]:
    """Everyone recorded as related to the patient, proxies and others, by name."""
    found = fhir.search(
        "RelatedPerson", {"patient": patient_query(patient_id), "_count": 100}, token
    )
    records = []
    for person in found:
        period = person.get("period") or {}
        roles = tuple(sorted(set().union(
            *(codes_of(r, ROLE_SYSTEM) for r in person.get("relationship") or []))))
        records.append(RelatedPersonRecord(
            id=str(person.get("id")), name=_name(person), relationships=roles,
            active=person.get("active") is not False,
            start=parse_day(period.get("start"), "RelatedPerson.period.start"),
            end=parse_day(period.get("end"), "RelatedPerson.period.end"),
        ))
    return sorted(records, key=lambda r: (r.name.casefold(), r.id))
