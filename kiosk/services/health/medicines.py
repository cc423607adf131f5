"""My medicines: the list (MedicationStatement and MedicationRequest) and asking the GP office
to renew one (a Task whose focus is that medicine, for the patient).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.fhirdata import (
    instant,
    patient_query,
    patient_ref,
    reference_of,
    text_of,
)

MEDICINE_TYPES = ("MedicationStatement", "MedicationRequest")
RENEWAL_CODE_TEXT = "Renew medication"
OPEN_TASK_STATUSES = frozenset({"draft", "requested", "received", "accepted", "ready",
                                "in-progress", "on-hold"})
_LISTED_STATUSES = frozenset({"active", "intended", "on-hold", "completed", "stopped"})


@dataclass(frozen=True)
class Medicine:
    """One medicine on the citizen's list."""

    id: str
    resource_type: str
    name: str
    dosage: str
    status: str
    renewal_requested: bool
    """A renewal request for it is still open at the GP office."""

    @property
    def reference(self) -> str:
        return f"{self.resource_type}/{self.id}"


def _name(resource: dict[str, Any]) -> str:
    name = text_of(resource.get("medicationCodeableConcept"))
    if not name:
        medication = resource.get("medicationReference")
        name = str(medication.get("display") or "") if isinstance(medication, dict) else ""
    return name


def _dosage(resource: dict[str, Any]) -> str:
    key = "dosage" if resource.get("resourceType") == "MedicationStatement" else "dosageInstruction"
    for dosage in resource.get(key) or []:
        if isinstance(dosage, dict) and dosage.get("text"):
            return str(dosage["text"])
    return ""


def _open_renewals(fhir: FhirClient, token: str, patient_id: str) -> set[str]:
    tasks = fhir.search("Task", {"patient": patient_query(patient_id), "_count": 100}, token)
    return {
        reference_of(task.get("focus")) for task in tasks
        if task.get("status") in OPEN_TASK_STATUSES
        and (task.get("code") or {}).get("text") == RENEWAL_CODE_TEXT
    }


def medicines(fhir: FhirClient, token: str, patient_id: str) -> list[Medicine]:
    """The patient's medicines, by name; each says whether a renewal is already asked for."""
    asked = _open_renewals(fhir, token, patient_id)
    found: list[Medicine] = []
    for kind in MEDICINE_TYPES:
        for resource in fhir.search(
            kind, {"subject": patient_query(patient_id), "_count": 100}, token
        ):
            status = str(resource.get("status") or "")
            if status not in _LISTED_STATUSES:
                continue
            rid = str(resource.get("id"))
            found.append(Medicine(
                id=rid, resource_type=kind, name=_name(resource), dosage=_dosage(resource),
                status=status, renewal_requested=f"{kind}/{rid}" in asked,
            ))
    return sorted(found, key=lambda m: (m.name.casefold(), m.reference))


def renewal_request(
    medicine: Medicine, patient_id: str, now: datetime, note: str | None = None,
) -> submission.Submission:
    """A Task asking the GP office to renew ``medicine`` for the patient."""
    task: dict[str, Any] = {
        "status": "requested",
        "intent": "order",
        "code": {"text": RENEWAL_CODE_TEXT},
        "focus": {"reference": medicine.reference, "display": medicine.name},
        "for": patient_ref(patient_id),
        "requester": patient_ref(patient_id),
        "authoredOn": instant(now),
    }
    if note and note.strip():
        task["note"] = [{"text": note.strip()}]
    return submission.create("Task", task)
