"""What a guide's slot and action steps call: the ActionPort over the appointment service.

Reads the citizen's answers from the session ("slot": a Slot id, "appointment": an Appointment
id) and the signed-in person's token. A time taken by someone else is an ActionResult that is not
ok (the citizen picks again); every other failure is raised as a ServiceError for the UI.
"""

from __future__ import annotations

from typing import Any

from kiosk.clock import Clock
from kiosk.guides.model import ActionResult, Option
from kiosk.services.appointments import AppointmentService, SlotTaken
from kiosk.services.http import ServiceError, _

SOURCES = frozenset({"free_slots", "my_appointments"})
ACTIONS = frozenset({"book_appointment", "move_appointment", "cancel_appointment"})


class NotSignedIn(ServiceError):
    """A guide reached a service step without a signed-in citizen."""

    msgid = _("Please sign in first.")


class MissingAnswer(ServiceError):
    """A guide reached an action before the citizen chose what it needs."""

    msgid = _("Something is missing. Please go back and choose again.")


class TaskActions:
    """ActionPort for the appointment guide. ``max_options`` keeps lists short enough to read."""

    def __init__(self, appointments: AppointmentService, clock: Clock, max_options: int = 20):
        self.appointments = appointments
        self.clock = clock
        self.max_options = max_options

    def sources(self) -> frozenset[str]:
        return SOURCES

    def actions(self) -> frozenset[str]:
        return ACTIONS

    def options(self, source: str, session: Any) -> list[Option]:
        token, patient_id = self._who(session)
        now = self.clock.now()
        if source == "free_slots":
            found = self.appointments.free_slots(token, now)
        elif source == "my_appointments":
            found = self.appointments.my_appointments(token, patient_id, now)
        else:
            raise ValueError(f"unknown source {source!r}; known: {sorted(SOURCES)}")
        return found[: self.max_options]

    def perform(self, action: str, session: Any) -> ActionResult:
        token, patient_id = self._who(session)
        service = self.appointments
        try:
            if action == "book_appointment":
                appointment_id = service.book(token, patient_id, _answer(session, "slot"))
                return _result(service.appointment(token, appointment_id))
            if action == "move_appointment":
                appointment_id = _answer(session, "appointment")
                before = service.appointment(token, appointment_id)
                service.move(token, appointment_id, _answer(session, "slot"))
                after = service.appointment(token, appointment_id)
                return _result(after, old_start=before.start, old_end=before.end)
            if action == "cancel_appointment":
                appointment_id = _answer(session, "appointment")
                before = service.appointment(token, appointment_id)
                service.cancel(token, appointment_id)
                return _result(before)
        except SlotTaken as exc:
            return ActionResult(ok=False, error=exc.msgid)
        raise ValueError(f"unknown action {action!r}; known: {sorted(ACTIONS)}")

    @staticmethod
    def _who(session: Any) -> tuple[str, str]:
        person = session.person
        if person is None:
            raise NotSignedIn("service step reached without a signed-in person")
        return person.access_token, person.patient_id


def _answer(session: Any, key: str) -> str:
    value = session.answers.get(key)
    if not value:
        raise MissingAnswer(f"the session has no answer {key!r}")
    return str(value)


def _result(appointment: Option, **extra: Any) -> ActionResult:
    """Raw values; the UI formats the times in the citizen's language."""
    values = {
        "appointment_id": appointment.id,
        "slot_start": appointment.start,
        "slot_end": appointment.end,
        **extra,
    }
    return ActionResult(ok=True, values=values)
