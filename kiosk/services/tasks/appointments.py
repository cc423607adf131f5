"""Appointment tasks: list free times and my appointments; book, move and cancel.

Reads the citizen's answers from the session ("mode": how to meet the doctor, a key of
kiosk.services.appointments.MODES; "slot": a Slot id; "appointment": an Appointment id). A time
taken by someone else, or no longer of the chosen mode, is an ActionResult that is not ok (the
citizen picks again).
"""

from __future__ import annotations

from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.services.appointments import AppointmentService, SlotTaken
from kiosk.services.tasks.common import TaskContext, answer, who


def _service(context: TaskContext) -> AppointmentService:
    return AppointmentService(context.fhir)


def free_slots(context: TaskContext, session: Any) -> list[Option]:
    """Free times of the mode the citizen chose."""
    token, _patient = who(session)
    mode = str(answer(session, "mode"))
    return _service(context).free_slots(token, context.clock.now(), mode)


def free_slots_for_move(context: TaskContext, session: Any) -> list[Option]:
    """Free times of the same mode as the appointment being moved."""
    token, _patient = who(session)
    appointment_id = str(answer(session, "appointment"))
    return _service(context).free_slots_for_move(token, appointment_id, context.clock.now())


def my_appointments(context: TaskContext, session: Any) -> list[Option]:
    token, patient_id = who(session)
    return _service(context).my_appointments(token, patient_id, context.clock.now())


def book(context: TaskContext, session: Any) -> ActionResult:
    token, patient_id = who(session)
    service = _service(context)
    try:
        appointment_id = service.book(token, patient_id, str(answer(session, "slot")),
                                      str(answer(session, "mode")))
    except SlotTaken as exc:
        return ActionResult(ok=False, error=exc.msgid)
    return _result(service.appointment(token, appointment_id))


def move(context: TaskContext, session: Any) -> ActionResult:
    token, _patient = who(session)
    service = _service(context)
    appointment_id = str(answer(session, "appointment"))
    before = service.appointment(token, appointment_id)
    try:
        service.move(token, appointment_id, str(answer(session, "slot")))
    except SlotTaken as exc:
        return ActionResult(ok=False, error=exc.msgid)
    after = service.appointment(token, appointment_id)
    return _result(after, old_start=before.start, old_end=before.end)


def cancel(context: TaskContext, session: Any) -> ActionResult:
    token, _patient = who(session)
    service = _service(context)
    appointment_id = str(answer(session, "appointment"))
    before = service.appointment(token, appointment_id)
    service.cancel(token, appointment_id)
    return _result(before)


def _result(appointment: Option, **extra: Any) -> ActionResult:
    """Raw values; the UI formats the times in the citizen's language."""
    values = {
        "appointment_id": appointment.id,
        "slot_start": appointment.start,
        "slot_end": appointment.end,
        **extra,
    }
    return ActionResult(ok=True, values=values)


SOURCES = {"free_slots": free_slots, "free_slots_for_move": free_slots_for_move,
           "my_appointments": my_appointments}
ACTIONS = {"book_appointment": book, "move_appointment": move, "cancel_appointment": cancel}
