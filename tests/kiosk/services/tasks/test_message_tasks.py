"""Message tasks through the guides' ActionPort, with a real Session and outbox against the
demo backend: the conversation, the start of a message read back, sending, and queuing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient, HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from kiosk.services.tasks.messages import start_of
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.tasks.sessions import SignIn, session_for
from tests.loopback import closed_port_url

QUESTION = "Can I take my thyroid tablet together with coffee?"


def make_actions(backend: DemoBackend, http: HttpClient, clock: ManualClock, outbox: Outbox,
                 pool: HttpPool, delivery_http: HttpClient | None = None) -> TaskActions:
    token = demo_delivery_token(pool, backend, clock=clock)
    sender = OutboxSender(outbox, FhirClient(delivery_http or http), token)
    return TaskActions(TaskContext(FhirClient(http), clock, sender))


@pytest.fixture
def pool() -> Iterator[HttpPool]:
    """HTTP clients for the delivery token's discovery and token requests."""
    made = HttpPool(timeout_s=5, retries=0)
    yield made
    made.close()


@pytest.fixture
def actions(backend: DemoBackend, http: HttpClient, clock: ManualClock,
            outbox: Outbox, pool: HttpPool) -> TaskActions:
    return make_actions(backend, http, clock, outbox, pool)


def kari_sent(backend: DemoBackend) -> list[dict]:
    return [c for c in backend.resources("Communication")
            if (c.get("sender") or {}).get("reference") == "Patient/kari"
            and c["id"] != "kari-question"]


def test_the_conversation_is_listed_newest_first(actions: TaskActions, sign_in: SignIn) -> None:
    listed = actions.options("my_messages", session_for(sign_in, "kari", "Kari Nordmann"))
    assert [(o.id, o.detail) for o in listed] == [
        ("kari-answer", "Dr. Demo Lege"), ("kari-question", "Kari Nordmann")]
    assert listed[1].label == QUESTION
    assert listed[0].label.startswith("Take it with water")


def test_start_of_cuts_at_a_word() -> None:
    assert start_of("  Hello   doctor \n") == "Hello doctor"
    text = "I have had a headache for three days and would like to know what I can do about it"
    start = start_of(text)
    assert start == "I have had a headache for three days and would like to know…"
    assert len(start) <= 61
    assert start_of("x" * 100, 10) == "x" * 10 + "…"
    assert start_of("I am ill. Please call me today", 10) == "I am ill…"


def test_a_message_is_sent_and_read_back(actions: TaskActions, backend: DemoBackend,
                                         sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari", "Kari Nordmann")
    text = "Please call me about my blood test results. " * 5
    session.remember("message", text.strip(), text.strip())
    preview = actions.perform("message_start", session)
    assert preview.ok and preview.values["message_start"].startswith("Please call me about")
    assert kari_sent(backend) == []
    result = actions.perform("send_message", session)
    assert result.ok and not result.queued
    (sent,) = kari_sent(backend)
    assert sent["payload"] == [{"contentString": text.strip()}]
    assert sent["subject"]["reference"] == "Patient/kari"
    newest = actions.options("my_messages", session)[0]
    # The kiosk's message names no sender display: the list names the signed-in citizen.
    assert (newest.label, newest.detail) == (text.strip(), "Kari Nordmann")


def test_a_message_is_queued_when_the_office_cannot_be_reached(
    backend: DemoBackend, http: HttpClient, clock: ManualClock, outbox: Outbox, sign_in: SignIn,
    pool: HttpPool,
) -> None:
    dead = HttpClient(f"{closed_port_url()}/fhir", timeout_s=2, retries=0)
    try:
        actions = make_actions(backend, http, clock, outbox, pool, delivery_http=dead)
        session = session_for(sign_in, "kari", "Kari Nordmann")
        session.remember("message", "Hello")
        result = actions.perform("send_message", session)
    finally:
        dead.close()
    assert result.ok and result.queued
    assert kari_sent(backend) == []
    assert len(outbox.items()) == 1


def test_no_messages_is_an_empty_list(actions: TaskActions, backend: DemoBackend,
                                      sign_in: SignIn) -> None:
    for message in backend.resources("Communication"):
        if message["subject"]["reference"] == "Patient/ola":
            backend.put({**message, "status": "entered-in-error"})
    assert actions.options("my_messages", session_for(sign_in, "ola")) == []


def test_sending_needs_the_typed_message(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari", "Kari Nordmann")
    with pytest.raises(MissingAnswer):
        actions.perform("message_start", session)
    with pytest.raises(MissingAnswer):
        actions.perform("send_message", session)
