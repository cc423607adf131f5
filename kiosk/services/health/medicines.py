"""My medicines: the list (MedicationStatement and MedicationRequest) and asking the GP office
to renew one (a Task whose focus is that medicine, for the patient).

A renewal request is a Task with a coded ``Task.code`` (``RenewalCode``, from the
renewal_task_code setting), found again by that code, never by its display text, which a GP
office's system may word its own way.
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
from kiosk.services.smart import RENEWAL_TASK_CODE

MEDICINE_TYPES = ("MedicationStatement", "MedicationRequest")
RENEWAL_CODE_TEXT = "Renew medication"
"""Shown to the GP office's staff beside the code."""
OPEN_TASK_STATUSES = frozenset({"draft", "requested", "received", "accepted", "ready",
                                "in-progress", "on-hold"})
_LISTED_STATUSES = frozenset({"active", "intended", "on-hold", "completed", "stopped"})


@dataclass(frozen=True)
class RenewalCode:
    """The coding of a renewal request's Task.code."""

    system: str
    code: str

    @classmethod
    def parse(cls, text: str) -> RenewalCode:
        """From ``system|code``; ValueError when a part is missing."""
        system, _, code = text.partition("|")
        if not system.strip() or not code.strip():
            raise ValueError(f"expected system|code, got {text!r}")
        return cls(system.strip(), code.strip())

    @property
    def query(self) -> str:
        """The FHIR token search value."""
        return f"{self.system}|{self.code}"

    def marks(self, task: dict[str, Any]) -> bool:
        """True when the Task carries this code."""
        codings = (task.get("code") or {}).get("coding") or []
        return any(isinstance(c, dict) and c.get("system") == self.system
                   and c.get("code") == self.code for c in codings)

    def concept(self) -> dict[str, Any]:
        return {"coding": [{"system": self.system, "code": self.code,
                            "display": RENEWAL_CODE_TEXT}], "text": RENEWAL_CODE_TEXT}


DEFAULT_RENEWAL_CODE = RenewalCode.parse(RENEWAL_TASK_CODE)


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


def _open_renewals(fhir: FhirClient, token: str, patient_id: str,
                   code: RenewalCode) -> set[str]:
    tasks = fhir.search("Task", {"patient": patient_query(patient_id), "code": code.query,
                                 "_count": 100}, token)
    return {
        reference_of(task.get("focus")) for task in tasks
        if task.get("status") in OPEN_TASK_STATUSES and code.marks(task)
    }


def medicines(fhir: FhirClient, token: str, patient_id: str,
              renewal_code: RenewalCode = DEFAULT_RENEWAL_CODE) -> list[Medicine]:
    """The patient's medicines, by name; each says whether a renewal is already asked for."""
    asked = _open_renewals(fhir, token, patient_id, renewal_code)
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
    renewal_code: RenewalCode = DEFAULT_RENEWAL_CODE,
) -> submission.Submission:
    """A Task asking the GP office to renew ``medicine`` for the patient."""
    task: dict[str, Any] = {
        "status": "requested",
        "intent": "order",
        "code": renewal_code.concept(),
        "focus": {"reference": medicine.reference, "display": medicine.name},
        "for": patient_ref(patient_id),
        "requester": patient_ref(patient_id),
        "authoredOn": instant(now),
    }
    if note and note.strip():
        task["note"] = [{"text": note.strip()}]
    return submission.create("Task", task)
