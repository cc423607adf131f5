"""Proxies (fullmakt): register a person who may act for the patient, list them, end one.

A proxy is a RelatedPerson of the patient with the role ``HPOWATT`` (healthcare power of
attorney), a period (from a day, until a day or open-ended), the proxy's national identity
number as its identifier (so the health service knows them when they sign in), and what it
covers: one ``AREA_EXTENSION`` per area, its valueCode ``all`` or a name of the country's
proxy choices (kiosk/policy/rules.yaml). FHIR R4 has no element for that, so it is an
extension of this project's own, which any R4 server accepts and may ignore; a reader that
finds none grants nothing. Who may give or be a proxy, at which age, in which areas, is the
policy module's decision; this module only writes and reads the record.

A Patient whose ``meta.security`` holds the confidentiality code R (restricted) or V (very
restricted) has a confidential address: no proxy is given or used for them.

While someone acts for another person, a refusal by the health service (403) is most likely
the proxy or the child's age not covering what was asked: ``acting_refusals`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.services.fhir import NO_NATIONAL_ID, FhirClient, reference_id
from kiosk.services.health import submission
from kiosk.services.health.fhirdata import (
    codes_of,
    coding,
    parse_day,
    patient_query,
    patient_ref,
    person_name,
)
from kiosk.services.http import ServiceError, ServiceRejected
from translations.catalog import N_

ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
PROXY_ROLE = "HPOWATT"
AREA_EXTENSION = "https://helselos.invalid/fhir/StructureDefinition/proxy-area"
"""Extension URL for one area a proxy covers (valueCode). Under .invalid: it names this
project's own definition and can never resolve to someone else's."""
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
CONFIDENTIAL_CODES = frozenset({"R", "V"})
"""Restricted and very restricted: how a confidential address shows on the Patient."""
_ROLE = re.compile(r"^[A-Z]{2,12}$")
_AREA = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_NATIONAL_ID = re.compile(r"^\d{11}$")


class NotAllowedForThem(ServiceError):
    """The health service refused something asked while acting for another person."""

    msgid = N_("You may not do this for the person you are helping. What you may do depends on"
              " the proxy they gave you, or on the child's age.")


@contextmanager
def acting_refusals(acting: bool) -> Iterator[None]:
    """Inside, a 403 while ``acting`` for someone is raised as NotAllowedForThem."""
    try:
        yield
    except ServiceRejected as exc:
        if acting and exc.status == 403:
            raise NotAllowedForThem(str(exc)) from exc
        raise


@dataclass(frozen=True)
class RelatedPersonRecord:
    id: str
    name: str
    relationships: tuple[str, ...]
    """v3-RoleCode codes, e.g. ("HPOWATT", "SPS")."""
    active: bool
    start: date | None
    end: date | None
    areas: tuple[str, ...] = ()
    """What a proxy covers, as recorded: ``("all",)`` or names of the proxy choices."""
    national_id: str | None = None

    @property
    def is_proxy(self) -> bool:
        return PROXY_ROLE in self.relationships

    def in_force(self, day: date) -> bool:
        """Active, started, and not yet ended on ``day``."""
        return (self.active and (self.start is None or self.start <= day)
                and (self.end is None or day <= self.end))


def register_proxy(
    patient_id: str, name: str, start: date, end: date | None = None,
    relationship: str | None = None, *, areas: Collection[str] = ("all",),
    national_id: str | None = None,
) -> submission.Submission:
    """A RelatedPerson making ``name`` the patient's proxy from ``start`` (until ``end``) for
    ``areas`` (``all`` or proxy choice names; the caller's policy vouches for them).

    ``relationship`` is a v3-RoleCode family code such as SPS (spouse) or DAU (daughter);
    ``national_id`` the proxy's checked fødselsnummer or D-number (see national_id.py).
    """
    shown = " ".join(name.split())
    if not shown:
        raise ValueError("a proxy needs a name")
    if end is not None and end < start:
        raise ValueError("a proxy cannot end before it starts")
    if not areas or not all(_AREA.match(area) for area in areas):
        raise ValueError(f"a proxy needs areas written as codes, not {sorted(areas)!r}")
    if national_id is not None and not _NATIONAL_ID.match(national_id):
        raise ValueError("a national identity number is 11 digits")
    roles = [{"coding": [coding(ROLE_SYSTEM, PROXY_ROLE, "healthcare power of attorney")]}]
    if relationship is not None:
        if not _ROLE.match(relationship) or relationship == PROXY_ROLE:
            raise ValueError(f"not a v3-RoleCode family relationship: {relationship!r}")
        roles.append({"coding": [coding(ROLE_SYSTEM, relationship)]})
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    resource: dict[str, Any] = {
        "extension": [{"url": AREA_EXTENSION, "valueCode": area}
                      for area in sorted(set(areas))],
        "active": True,
        "patient": patient_ref(patient_id),
        "relationship": roles,
        "name": [{"text": shown}],
        "period": period,
    }
    if national_id is not None:
        resource["identifier"] = [{"system": NO_NATIONAL_ID, "value": national_id}]
    return submission.create("RelatedPerson", resource)


def end_proxy(related_person_id: str) -> submission.Submission:
    """End a proxy: the RelatedPerson is no longer active (its record stays, as history)."""
    return submission.change("RelatedPerson", related_person_id, {"active": False})


def proxy_areas(person: dict[str, Any]) -> tuple[str, ...]:
    """The areas a RelatedPerson records for its proxy, sorted; () when none."""
    return tuple(sorted({
        str(item["valueCode"]) for item in person.get("extension") or []
        if isinstance(item, dict) and item.get("url") == AREA_EXTENSION
        and isinstance(item.get("valueCode"), str)
    }))


def national_id_of(resource: dict[str, Any]) -> str | None:
    """The Norwegian national identity number among a resource's identifiers, if any."""
    for identifier in resource.get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("system") == NO_NATIONAL_ID:
            value = identifier.get("value")
            return str(value) if value else None
    return None


def has_confidential_address(patient: dict[str, Any] | None) -> bool:
    """Whether the Patient is marked restricted (R) or very restricted (V)."""
    meta = (patient or {}).get("meta") or {}
    return any(
        isinstance(label, dict) and label.get("system") == CONFIDENTIALITY
        and label.get("code") in CONFIDENTIAL_CODES
        for label in meta.get("security") or []
    )


def _record(person: dict[str, Any]) -> RelatedPersonRecord:
    period = person.get("period") or {}
    roles = tuple(sorted(set().union(
        *(codes_of(r, ROLE_SYSTEM) for r in person.get("relationship") or []))))
    return RelatedPersonRecord(
        id=str(person.get("id")), name=person_name(person), relationships=roles,
        active=person.get("active") is not False,
        start=parse_day(period.get("start"), "RelatedPerson.period.start"),
        end=parse_day(period.get("end"), "RelatedPerson.period.end"),
        areas=proxy_areas(person), national_id=national_id_of(person),
    )


def related_people(fhir: FhirClient, token: str, patient_id: str) -> list[RelatedPersonRecord]:
    """Everyone recorded as related to the patient, proxies and others, by name."""
    found = fhir.search(
        "RelatedPerson", {"patient": patient_query(patient_id), "_count": 100}, token
    )
    records = [_record(person) for person in found]
    return sorted(records, key=lambda r: (r.name.casefold(), r.id))


def linked_records(fhir: FhirClient, token: str, patient_id: str,
                   day: date) -> list[tuple[str, str]]:
    """(Patient id, name) of everyone else whose record names the patient as a related person
    in force on ``day`` (a parent, a proxy), found by the patient's national id; never "every
    Patient the server returns", which on a server that does not filter is everyone. A record
    the token may not read (403) or that is gone (404) is left out: the server decides."""
    own_id = national_id_of(fhir.read("Patient", patient_id, token))
    if own_id is None:
        return []
    links = fhir.search(
        "RelatedPerson", {"identifier": f"{NO_NATIONAL_ID}|{own_id}", "_count": 100}, token)
    others: list[str] = []
    for link in links:
        reference = str((link.get("patient") or {}).get("reference", ""))
        if not _record(link).in_force(day) or not reference.startswith("Patient/"):
            continue
        other = reference_id(reference, "Patient")
        if other != patient_id and other not in others:
            others.append(other)
    found = []
    for other in others:
        try:
            patient = fhir.read("Patient", other, token)
        except ServiceRejected as exc:
            if exc.status in (403, 404):
                continue
            raise
        found.append((other, person_name(patient)))
    return found
