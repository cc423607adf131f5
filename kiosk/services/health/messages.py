"""Messages with the GP office: read the conversation and write a new message or a reply.

A message is a Communication about the patient (``subject``). The citizen's own messages have
the patient as ``sender``; the office's replies point at the message they answer with
``inResponseTo``. Alerts the health service sends (see ``alerts``) are not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.services.fhir import FhirClient, check_id
from kiosk.services.health import submission
from kiosk.services.health.alerts import is_alert
from kiosk.services.health.fhirdata import (
    instant,
    parse_instant,
    patient_query,
    patient_ref,
    payload_text,
    reference_of,
)

MAX_LENGTH = 2000
"""Longest message the kiosk sends: enough for an e-consultation, short enough to read aloud."""


@dataclass(frozen=True)
class Message:
    id: str
    sent: datetime | None
    text: str
    from_patient: bool
    sender: str
    """Who sent it as the server names them (``sender.display``); "" when it does not say."""
    in_response_to: str | None
    """The id of the message this one answers."""


def _answers(communication: dict[str, Any]) -> str | None:
    for ref in communication.get("inResponseTo") or []:
        kind, _, rid = reference_of(ref).rpartition("/")
        if kind.endswith("Communication") and rid:
            return rid
    return None


def messages(fhir: FhirClient, token: str, patient_id: str) -> list[Message]:
    """The conversation with the GP office, newest first."""
    me = patient_query(patient_id)
    found = fhir.search(
        "Communication", {"subject": me, "_sort": "-sent", "_count": 100}, token
    )
    listed = [
        Message(
            id=str(c.get("id")), sent=parse_instant(c.get("sent"), "Communication.sent"),
            text=payload_text(c), from_patient=reference_of(c.get("sender")) == me,
            sender=str((c.get("sender") or {}).get("display") or ""),
            in_response_to=_answers(c),
        )
        for c in found if c.get("status") != "entered-in-error" and not is_alert(c)
    ]
    listed.sort(key=lambda m: m.sent.timestamp() if m.sent else 0.0, reverse=True)
    return listed


def message(
    patient_id: str, text: str, now: datetime, *, in_response_to: str | None = None,
    recipient: str | None = None, translation: str | None = None,
) -> submission.Submission:
    """A message from the patient to the GP office; a reply names the message it answers.

    ``recipient`` is a reference such as ``Organization/<id>`` when the office is known.
    ``translation`` (labelled machine translation) follows the original as a second payload.
    """
    body = text.strip()
    if not body:
        raise ValueError("a message needs some text")
    if len(body) > MAX_LENGTH:
        raise ValueError(f"a message is at most {MAX_LENGTH} characters")
    communication: dict[str, Any] = {
        "status": "completed",
        "subject": patient_ref(patient_id),
        "sender": patient_ref(patient_id),
        "sent": instant(now),
        "payload": [{"contentString": body}],
    }
    if translation:
        communication["payload"].append({"contentString": translation})
    if in_response_to is not None:
        communication["inResponseTo"] = [{"reference": f"Communication/{check_id(in_response_to)}"}]
    if recipient is not None:
        kind, _, rid = recipient.partition("/")
        if kind not in ("Organization", "Practitioner", "PractitionerRole", "CareTeam"):
            raise ValueError(f"a message goes to an office or a practitioner, not {kind!r}")
        communication["recipient"] = [{"reference": f"{kind}/{check_id(rid)}"}]
    return submission.create("Communication", communication)
