"""Book, move and cancel GP appointments with plain FHIR R4 Slot and Appointment resources.

A FHIR server does not keep Slots in step with Appointments, so this client does it: after
writing the Appointment it PUTs the Slot (busy or free) with ``If-Match``. If that fails, the
Appointment change is undone where possible and the citizen is told what state things are in.

How the citizen meets the doctor (at the office, by video, by phone) is the ``serviceType`` of
the Slot, coded in v3 ParticipationMode (see ``MODES``); a booked Appointment carries its Slot's,
and a move keeps it. A Slot or Appointment with no ParticipationMode code is at the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.guides.model import Option
from kiosk.services.fhir import FhirClient, check_id, reference_id
from kiosk.services.health.fhirdata import parse_instant
from kiosk.services.http import BadResponse, ServiceError, ServiceRejected
from translations.catalog import N_


class SlotTaken(ServiceError):
    """The chosen time was taken by someone else; nothing was changed."""

    msgid = N_("That time was taken by someone else just now. Please choose another time.")


class BookingIncomplete(ServiceError):
    """The Appointment changed but its Slot could not be updated, and undoing failed too."""

    msgid = N_(
        "Your appointment was changed, but the kiosk could not finish the job. "
        "Please ask a staff member to check your appointment."
    )


class SlotChanged(SlotTaken):
    """The chosen time is now for another way of meeting; nothing was changed."""

    msgid = N_("That time is no longer offered for this kind of appointment. "
              "Please choose another time.")


PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"


@dataclass(frozen=True)
class Mode:
    """One way to meet the doctor, as the kiosk names it and as FHIR codes it."""

    code: str
    """The v3 ParticipationMode code in Slot.serviceType and Appointment.serviceType."""
    display: str
    """The code system's display for the code."""
    words: str
    """How the kiosk says it after a time, e.g. "Monday 3 December at 10:00, by video"."""

    def concept(self) -> dict[str, Any]:
        return {"coding": [{"system": PARTICIPATION_MODE, "code": self.code,
                            "display": self.display}]}


OFFICE = "office"
MODES: dict[str, Mode] = {
    OFFICE: Mode("FACE", "face-to-face", N_("at the GP office")),
    "video": Mode("VIDEOCONF", "videoconferencing", N_("by video")),
    "phone": Mode("PHONE", "telephone", N_("by phone")),
}
"""The modes a guide's answer names (its choice ids), with their codes."""


def check_mode(mode: str) -> Mode:
    """The Mode a guide's answer names; an unknown name is a programming error."""
    if mode not in MODES:
        raise ValueError(f"unknown appointment mode {mode!r}; known: {sorted(MODES)}")
    return MODES[mode]


def mode_of(resource: dict[str, Any]) -> str | None:
    """The mode of a Slot or Appointment: the one of MODES its serviceType codes, the office
    when it codes no ParticipationMode, and None when it codes none of MODES or several."""
    codes = {
        coding.get("code")
        for concept in resource.get("serviceType") or [] if isinstance(concept, dict)
        for coding in concept.get("coding") or []
        if isinstance(coding, dict) and coding.get("system") == PARTICIPATION_MODE
    }
    if not codes:
        return OFFICE
    found = [name for name, mode in MODES.items() if mode.code in codes]
    return found[0] if len(found) == 1 else None


def _mode_search(mode: str) -> dict[str, Any]:
    """Search parameters for the slots of a mode. Slots coding no mode are at the office, and
    one token search cannot find "FACE or nothing", so the office excludes the other modes."""
    if mode != OFFICE:
        return {"service-type": f"{PARTICIPATION_MODE}|{check_mode(mode).code}"}
    others = [f"{PARTICIPATION_MODE}|{m.code}" for name, m in MODES.items() if name != OFFICE]
    return {"service-type:not": others}


def parse_time(value: Any, what: str) -> datetime:
    """A required FHIR instant as an aware datetime."""
    moment = parse_instant(value, what)
    if moment is None:
        raise BadResponse(f"{what}: not a date and time")
    return moment


def _slot_option(slot: dict[str, Any]) -> Option:
    return Option(
        id=str(slot.get("id")),
        start=parse_time(slot.get("start"), "Slot.start"),
        end=parse_time(slot.get("end"), "Slot.end"),
        detail=str(slot.get("comment") or ""),
    )


def _appointment_option(appointment: dict[str, Any]) -> Option:
    mode = mode_of(appointment)
    return Option(
        id=str(appointment.get("id")),
        start=parse_time(appointment.get("start"), "Appointment.start"),
        end=parse_time(appointment.get("end"), "Appointment.end"),
        detail=str(appointment.get("description") or ""),
        note=MODES[mode].words if mode is not None else "",
    )


def _slot_id(appointment: dict[str, Any]) -> str:
    slots = appointment.get("slot") or []
    if not slots or not isinstance(slots[0], dict):
        raise BadResponse("the Appointment has no Slot")
    return reference_id(str(slots[0].get("reference", "")), "Slot")


def _upcoming(options: list[Option], now: datetime) -> list[Option]:
    """The timed options that start after ``now``, earliest first."""
    timed = [(o.start, o) for o in options if o.start is not None and o.start > now]
    return [o for _start, o in sorted(timed, key=lambda pair: pair[0])]


def _is_conflict(exc: ServiceError) -> bool:
    """The server refused because someone else changed the Slot first ("that time was just
    taken"): 412 (a stale If-Match) or 409 on any server; a 400 or 422 only when its
    OperationOutcome says ``conflict``, since those statuses mostly mean a resource the server
    found invalid, which a citizen cannot fix by picking another time."""
    if not isinstance(exc, ServiceRejected):
        return False
    return exc.status in (409, 412) or (exc.status in (400, 422) and exc.code == "conflict")


class AppointmentService:
    """A citizen's appointments at their GP office, over a FHIR client."""

    def __init__(self, fhir: FhirClient, page_size: int = 100) -> None:
        self.fhir = fhir
        self.page_size = page_size

    def free_slots(self, token: str, now: datetime, mode: str | None = None) -> list[Option]:
        """Free times starting after ``now``, earliest first; only those of ``mode`` (a key
        of MODES) when it is given. The server filters, and what it sends is checked again."""
        params: dict[str, Any] = {"status": "free", "start": f"ge{now.isoformat()}",
                                  "_sort": "start", "_count": self.page_size}
        if mode is not None:
            params.update(_mode_search(mode))
        slots = self.fhir.search("Slot", params, token)
        options = [_slot_option(s) for s in slots if s.get("status") == "free"
                   and (mode is None or mode_of(s) == mode)]
        return _upcoming(options, now)

    def free_slots_for_move(self, token: str, appointment_id: str,
                            now: datetime) -> list[Option]:
        """Free times to move an appointment to: those of its own mode."""
        mode = mode_of(self.fhir.read("Appointment", appointment_id, token))
        return [] if mode is None else self.free_slots(token, now, mode)

    def my_appointments(self, token: str, patient_id: str, now: datetime) -> list[Option]:
        """The patient's booked appointments that have not started yet, earliest first."""
        found = self.fhir.search(
            "Appointment",
            {"patient": f"Patient/{check_id(patient_id)}", "status": "booked",
             "date": f"ge{now.isoformat()}", "_sort": "date", "_count": self.page_size},
            token,
        )
        options = [_appointment_option(a) for a in found if a.get("status") == "booked"]
        return _upcoming(options, now)

    def appointment(self, token: str, appointment_id: str) -> Option:
        """One appointment read back from the server."""
        return _appointment_option(self.fhir.read("Appointment", appointment_id, token))

    def book(self, token: str, patient_id: str, slot_id: str, mode: str | None = None) -> str:
        """Book a free slot for the patient; returns the new Appointment's id. With ``mode``
        the slot must still be of that mode. The Appointment carries the Slot's serviceType."""
        slot = self._free_slot(token, slot_id, mode)
        appointment = {
            "resourceType": "Appointment",
            "status": "booked",
            "serviceType": slot.get("serviceType") or [MODES[OFFICE].concept()],
            "slot": [{"reference": f"Slot/{slot['id']}"}],
            "start": slot["start"],
            "end": slot["end"],
            # FHIR has no empty strings: a slot without a comment gives no description.
            **({"description": slot["comment"]} if slot.get("comment") else {}),
            "participant": [
                {"actor": {"reference": f"Patient/{check_id(patient_id)}"},
                 "status": "accepted"},
            ],
        }
        try:
            created = self.fhir.create("Appointment", appointment, token)
        except ServiceRejected as exc:
            if _is_conflict(exc):
                raise SlotTaken(str(exc)) from exc
            raise
        try:
            self._set_slot(token, slot, "busy")
        except ServiceError as exc:
            undo = {**created, "status": "cancelled"}
            self._undo(token, "Appointment", created["id"], undo, exc)
        return str(created["id"])

    def move(self, token: str, appointment_id: str, new_slot_id: str) -> None:
        """Move an appointment to another free slot of its mode, and free the old one. The
        Appointment keeps its serviceType."""
        current = self.fhir.read("Appointment", appointment_id, token)
        old_slot_id = _slot_id(current)
        new_slot = self._free_slot(token, new_slot_id, mode_of(current))
        changed = {
            **current,
            "slot": [{"reference": f"Slot/{new_slot['id']}"}],
            "start": new_slot["start"],
            "end": new_slot["end"],
        }
        try:
            moved = self.fhir.update("Appointment", appointment_id, changed, token)
        except ServiceRejected as exc:
            if _is_conflict(exc):
                raise SlotTaken(str(exc)) from exc
            raise
        try:
            self._set_slot(token, new_slot, "busy")
        except ServiceError as exc:
            back = {**moved, "slot": current["slot"], "start": current["start"],
                    "end": current["end"]}
            self._undo(token, "Appointment", appointment_id, back, exc)
        self._release(token, old_slot_id)

    def cancel(self, token: str, appointment_id: str) -> None:
        """Cancel an appointment and give its slot back."""
        current = self.fhir.read("Appointment", appointment_id, token)
        slot_id = _slot_id(current)
        self.fhir.update("Appointment", appointment_id, {**current, "status": "cancelled"}, token)
        self._release(token, slot_id)

    def _free_slot(self, token: str, slot_id: str, mode: str | None) -> dict[str, Any]:
        """The slot as it is now: refused when taken, or no longer of ``mode`` (None: any)."""
        if mode is not None:
            check_mode(mode)
        slot = self.fhir.read("Slot", slot_id, token)
        if slot.get("status") != "free":
            raise SlotTaken(f"Slot {slot_id} is {slot.get('status')}")
        if mode is not None and mode_of(slot) != mode:
            raise SlotChanged(f"Slot {slot_id} is not {mode} any more")
        return slot

    def _set_slot(self, token: str, slot: dict[str, Any], status: str) -> None:
        try:
            self.fhir.update("Slot", slot["id"], {**slot, "status": status}, token)
        except ServiceRejected as exc:
            if _is_conflict(exc):
                raise SlotTaken(str(exc)) from exc
            raise

    def _release(self, token: str, slot_id: str) -> None:
        """Mark a slot free again. The appointment change already stands, so report, not undo."""
        try:
            slot = self.fhir.read("Slot", slot_id, token)
            self._set_slot(token, slot, "free")
        except ServiceError as exc:
            raise BookingIncomplete(f"appointment changed but Slot not freed: {exc}") from exc

    def _undo(
        self, token: str, kind: str, rid: str, previous: dict[str, Any], cause: ServiceError
    ) -> None:
        """Put a resource back after a failed second step, then re-raise what went wrong."""
        try:
            self.fhir.update(kind, rid, previous, token)
        except ServiceError as exc:
            raise BookingIncomplete(f"{cause}; undoing the {kind} failed too: {exc}") from exc
        raise cause
