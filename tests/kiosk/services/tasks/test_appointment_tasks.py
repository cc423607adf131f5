"""Appointment tasks through the guides' ActionPort, with a real Session against the demo
backend; and what the port does with names no area defines."""

from __future__ import annotations

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.guides.model import ActionPort
from kiosk.services.appointments import SlotChanged, mode_of
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.tasks.common import MissingAnswer, NotSignedIn, TaskActions, TaskContext
from kiosk.session import Session
from tests.kiosk.services.tasks.sessions import SignIn, session_for


@pytest.fixture
def actions(http: HttpClient, clock: ManualClock) -> TaskActions:
    return TaskActions(TaskContext(FhirClient(http), clock, max_options=5))


def test_names_match_the_guide_contract(actions: TaskActions) -> None:
    port: ActionPort = actions
    assert {"free_slots", "free_slots_for_move", "my_appointments"} <= port.sources()
    assert {"book_appointment", "move_appointment", "cancel_appointment"} <= port.actions()


def test_free_slots_are_limited_to_max_options(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    session.remember("mode", "office")
    assert len(actions.options("free_slots", session)) == 5


@pytest.mark.parametrize("mode", ["office", "video", "phone"])
def test_free_slots_are_of_the_chosen_mode(actions: TaskActions, backend: DemoBackend,
                                           sign_in: SignIn, mode: str) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    session.remember("mode", mode, "the label of the choice")
    listed = {o.id for o in actions.options("free_slots", session)}
    assert listed and {mode_of(s) for s in backend.slots() if s["id"] in listed} == {mode}


def test_free_slots_need_the_chosen_mode(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    with pytest.raises(MissingAnswer):
        actions.options("free_slots", session)
    session.remember("mode", "telepathy")
    with pytest.raises(ValueError, match="unknown appointment mode"):
        actions.options("free_slots", session)


def test_book_returns_raw_values_for_the_finish_text(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    session.remember("mode", "video")
    slot = actions.options("free_slots", session)[1]
    session.remember("slot", slot.id, "label set by the UI")
    result = actions.perform("book_appointment", session)
    assert result.ok and result.error is None
    assert result.values["slot_start"] == slot.start
    assert result.values["slot_end"] == slot.end
    (booked,) = [a for a in backend.appointments() if a["id"] == result.values["appointment_id"]]
    assert booked["serviceType"][0]["coding"][0]["code"] == "VIDEOCONF"
    (mine,) = actions.options("my_appointments", session)
    assert (mine.id, mine.note) == (result.values["appointment_id"], "by video")


def test_move_then_cancel(actions: TaskActions, backend: DemoBackend, sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari", "Kari Nordmann")
    (mine,) = actions.options("my_appointments", session)
    session.remember("appointment", mine.id)
    new = actions.options("free_slots_for_move", session)[-1]
    session.remember("slot", new.id)
    moved = actions.perform("move_appointment", session)
    assert moved.ok
    assert mode_of(backend.appointments()[0]) == "office"
    assert (moved.values["old_start"], moved.values["slot_start"]) == (mine.start, new.start)
    cancelled = actions.perform("cancel_appointment", session)
    assert cancelled.ok and cancelled.values["slot_start"] == new.start
    assert [a["status"] for a in backend.appointments()] == ["cancelled"]
    assert actions.options("my_appointments", session) == []


def test_a_taken_slot_is_a_result_not_an_exception(actions: TaskActions, backend: DemoBackend,
                                                   sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    busy = next(s for s in backend.slots() if s["status"] == "busy")
    session.remember("mode", "office")
    session.remember("slot", busy["id"])
    result = actions.perform("book_appointment", session)
    assert not result.ok
    assert result.error and "choose another time" in result.error


def test_a_time_of_another_mode_is_a_result_not_an_exception(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    session.remember("mode", "phone")
    video = next(s for s in backend.slots() if s["status"] == "free" and mode_of(s) == "video")
    session.remember("slot", video["id"])
    result = actions.perform("book_appointment", session)
    assert (result.ok, result.error) == (False, SlotChanged.msgid)
    assert len(backend.appointments()) == 1


def test_service_steps_need_a_signed_in_person(actions: TaskActions) -> None:
    with pytest.raises(NotSignedIn) as caught:
        actions.options("free_slots", Session("en"))
    assert caught.value.msgid == "Please sign in first."


def test_missing_answer_is_reported(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    with pytest.raises(MissingAnswer):
        actions.perform("book_appointment", session)


def test_unknown_names_are_programming_errors(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    with pytest.raises(ValueError, match="unknown source"):
        actions.options("weather", session)
    with pytest.raises(ValueError, match="unknown action"):
        actions.perform("launch", session)
