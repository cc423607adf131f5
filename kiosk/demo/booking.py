"""The GP office's booking rules for Slot and Appointment writes.

Like a real FHIR server, the service does not change Slots when Appointments are written: the
client PUTs the Slot itself. It does refuse an Appointment on a Slot that is not free (409), and
lets a citizen change nothing about a Slot but its status.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from kiosk.demo.problem import Problem
from kiosk.demo.store import Store

SLOT_STATUSES = frozenset({"free", "busy", "busy-unavailable", "busy-tentative",
                           "entered-in-error"})


def patient_of(appointment: dict[str, Any]) -> str | None:
    """The id of the first Patient among an Appointment's participants."""
    for participant in appointment.get("participant") or []:
        ref = str(((participant or {}).get("actor") or {}).get("reference", ""))
        if ref.startswith("Patient/"):
            return ref.removeprefix("Patient/")
    return None


def check_slot(current: dict[str, Any], new: dict[str, Any]) -> None:
    if new.get("status") not in SLOT_STATUSES:
        raise Problem(422, f"Slot.status must be one of {sorted(SLOT_STATUSES)}", "value")
    for field in ("start", "end", "schedule", "serviceType"):
        if new.get(field) != current.get(field):
            raise Problem(422, f"Slot.{field} cannot change; only the status can", "value")


def _slot_of(store: Store, appointment: dict[str, Any]) -> dict[str, Any]:
    slots = appointment.get("slot")
    if not isinstance(slots, list) or len(slots) != 1 or not isinstance(slots[0], dict):
        raise Problem(422, "Appointment.slot must hold exactly one Slot reference", "required")
    ref = str(slots[0].get("reference", ""))
    slot = store.get("Slot", ref.removeprefix("Slot/")) if ref.startswith("Slot/") else None
    if slot is None:
        raise Problem(422, f"Appointment.slot: {ref!r} is not a known Slot", "value")
    return slot


def check_appointment(store: Store, new: dict[str, Any], allowed: Collection[str],
                      current: dict[str, Any] | None) -> None:
    """``allowed``: the patients the token may book for."""
    if current is None and new.get("status") != "booked":
        raise Problem(422, "a new Appointment must have status booked", "value")
    if new.get("status") not in ("booked", "cancelled"):
        raise Problem(422, "Appointment.status must be booked or cancelled", "value")
    patient = patient_of(new)
    if patient is None:
        raise Problem(422, "Appointment.participant must include the Patient", "required")
    if patient not in allowed:
        raise Problem(403, "a token may only book for its own Patient", "forbidden")
    slot = _slot_of(store, new)
    if current is not None and current["status"] == "cancelled":
        raise Problem(422, "a cancelled Appointment cannot be changed", "business-rule")
    if new["status"] != "booked":
        return
    if new.get("start") != slot["start"] or new.get("end") != slot["end"]:
        raise Problem(422, "Appointment.start and end must match its Slot", "value")
    same_slot = current is not None and _slot_of(store, current)["id"] == slot["id"]
    taken = any(a["status"] == "booked" and a["id"] != new.get("id")
                and _slot_of(store, a)["id"] == slot["id"]
                for a in store.all("Appointment"))
    if not same_slot and (slot["status"] != "free" or taken):
        raise Problem(409, f"Slot/{slot['id']} is not free", "conflict")
