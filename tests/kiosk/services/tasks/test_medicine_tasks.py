"""Medicine tasks through the guides' ActionPort, with a real Session and outbox against the
demo backend: the list, what may be renewed, a renewal read back, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.health.medicines import DEFAULT_RENEWAL_CODE
from kiosk.services.http import HttpClient, HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from kiosk.services.tasks.medicines import ALREADY_ASKED, NOT_RENEWABLE
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.tasks.sessions import SignIn, session_for
from tests.loopback import closed_port_url

LEVOTHYROXINE = "Levothyroxine 50 microgram tablet"
ATORVASTATIN = "Atorvastatin 20 mg tablet"


def make_actions(backend: DemoBackend, http: HttpClient, clock: ManualClock, outbox: Outbox,
                 pool: HttpPool, delivery_http: HttpClient | None = None) -> TaskActions:
    fhir = FhirClient(http)
    token = demo_delivery_token(pool, backend, clock=clock)
    sender = OutboxSender(outbox, FhirClient(delivery_http or http), token)
    return TaskActions(TaskContext(fhir, clock, sender))


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


def renewals(backend: DemoBackend) -> list[dict]:
    return [t for t in backend.resources("Task") if DEFAULT_RENEWAL_CODE.marks(t)]


def test_each_medicine_is_listed_once_with_its_dosage(actions: TaskActions,
                                                      sign_in: SignIn) -> None:
    listed = actions.options("my_medicines", session_for(sign_in, "kari", "Kari Nordmann"))
    assert [(o.label, o.detail) for o in listed] == [
        (ATORVASTATIN, "One tablet in the evening"),
        (LEVOTHYROXINE, "One tablet every morning"),
    ]


def test_renewal_is_asked_on_the_prescription_and_read_back(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari", "Kari Nordmann")
    options = actions.options("renewable_medicines", session)
    assert [(o.id, o.label, o.detail) for o in options] == [
        ("MedicationRequest/kari-atorvastatin-rx", ATORVASTATIN, ""),
        ("MedicationRequest/kari-levothyroxine-rx", LEVOTHYROXINE, ""),
    ]
    session.remember("medicine", options[1].id, options[1].label)
    result = actions.perform("request_renewal", session)
    assert result.ok and not result.queued
    assert result.values == {"medicine_name": LEVOTHYROXINE}
    (task,) = renewals(backend)
    assert task["status"] == "requested"
    assert task["for"]["reference"] == "Patient/kari"
    assert task["focus"]["reference"] == "MedicationRequest/kari-levothyroxine-rx"
    # Awaiting renewal now: no longer offered, and asking again is refused, not sent twice.
    assert [o.label for o in actions.options("renewable_medicines", session)] == [ATORVASTATIN]
    again = actions.perform("request_renewal", session)
    assert not again.ok and again.error == ALREADY_ASKED
    assert len(renewals(backend)) == 1


def test_a_stopped_medicine_cannot_be_renewed(actions: TaskActions, backend: DemoBackend,
                                              sign_in: SignIn) -> None:
    for rid in ("kari-atorvastatin", "kari-atorvastatin-rx"):
        (resource,) = [r for kind in ("MedicationStatement", "MedicationRequest")
                       for r in backend.resources(kind) if r["id"] == rid]
        backend.put({**resource, "status": "stopped"})
    session = session_for(sign_in, "kari", "Kari Nordmann")
    assert [o.label for o in actions.options("renewable_medicines", session)] == [LEVOTHYROXINE]
    assert ATORVASTATIN in [o.label for o in actions.options("my_medicines", session)]
    session.remember("medicine", "MedicationRequest/kari-atorvastatin-rx")
    result = actions.perform("request_renewal", session)
    assert not result.ok and result.error == NOT_RENEWABLE
    assert renewals(backend) == []


def test_a_citizen_without_medicines_gets_empty_lists(actions: TaskActions,
                                                     backend: DemoBackend,
                                                     sign_in: SignIn) -> None:
    for kind in ("MedicationStatement", "MedicationRequest"):
        for resource in backend.resources(kind):
            if resource["subject"]["reference"] == "Patient/ola":
                backend.put({**resource, "status": "entered-in-error"})
    session = session_for(sign_in, "ola")
    assert actions.options("my_medicines", session) == []
    assert actions.options("renewable_medicines", session) == []


def test_renewal_is_queued_when_the_office_cannot_be_reached(
    backend: DemoBackend, http: HttpClient, clock: ManualClock, outbox: Outbox, sign_in: SignIn,
    pool: HttpPool,
) -> None:
    dead = HttpClient(f"{closed_port_url()}/fhir", timeout_s=2, retries=0)
    try:
        actions = make_actions(backend, http, clock, outbox, pool, delivery_http=dead)
        session = session_for(sign_in, "kari", "Kari Nordmann")
        session.remember("medicine", "MedicationRequest/kari-atorvastatin-rx")
        result = actions.perform("request_renewal", session)
    finally:
        dead.close()
    assert result.ok and result.queued
    assert renewals(backend) == []
    assert len(outbox.items()) == 1


def test_renewal_needs_a_chosen_medicine(actions: TaskActions, sign_in: SignIn) -> None:
    with pytest.raises(MissingAnswer):
        actions.perform("request_renewal", session_for(sign_in, "kari", "Kari Nordmann"))
