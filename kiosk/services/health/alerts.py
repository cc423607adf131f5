"""Alerts: what the health service itself tells the citizen (a vaccine reminder, results that
are ready), as distinct from the conversation with the GP office.

An alert is a Communication about the patient whose ``category`` is ``alert``, ``notification``
or ``reminder`` (HL7 communication-category). The messages area leaves these out of the
conversation, so each notice appears in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.services.fhir import FhirClient
from kiosk.services.health.fhirdata import codes_of, parse_instant, patient_query, payload_text

CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/communication-category"
ALERT_CATEGORIES = ("alert", "notification", "reminder")


@dataclass(frozen=True)
class Alert:
    id: str
    sent: datetime | None
    text: str
    sender: str
    """Who sent it as the server names them (``sender.display``); "" when it does not say."""


def is_alert(communication: dict[str, Any]) -> bool:
    """True for a Communication the health service sent as an alert, notice or reminder."""
    return any(codes_of(c, CATEGORY_SYSTEM) & set(ALERT_CATEGORIES)
               for c in communication.get("category") or [])


def alerts(fhir: FhirClient, token: str, patient_id: str) -> list[Alert]:
    """The patient's alerts, newest first (withdrawn ones left out)."""
    found = fhir.search("Communication", {
        "subject": patient_query(patient_id),
        "category": ",".join(f"{CATEGORY_SYSTEM}|{code}" for code in ALERT_CATEGORIES),
        "_count": 100,
    }, token)
    listed = [
        Alert(id=str(c.get("id")), sent=parse_instant(c.get("sent"), "Communication.sent"),
              text=payload_text(c), sender=str((c.get("sender") or {}).get("display") or ""))
        for c in found
        if is_alert(c) and c.get("status") not in ("entered-in-error", "not-done")
    ]
    listed.sort(key=lambda a: a.sent.timestamp() if a.sent else 0.0, reverse=True)
    return listed
