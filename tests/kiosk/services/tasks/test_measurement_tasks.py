"""Sending a home measurement through the guides' ActionPort, against the real demo backend and
a real outbox: the Observation read back from the server, implausible values refused with a
message, an unreachable service leaving it saved on the kiosk; and the measurement guide's
number steps agreeing with the health API's plausible ranges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.guides.loader import bundled_guides_dir, load_guide
from kiosk.services.fhir import FhirClient
from kiosk.services.health.fhirdata import LOINC, UCUM
from kiosk.services.health.measurements import NOT_ABOVE, OUT_OF_RANGE, kinds
from kiosk.services.http import HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.tasks.sessions import SignIn, session_for
from tests.loopback import closed_port_url


@pytest.fixture
def make_actions(outbox: Outbox, backend: DemoBackend,
                 clock: ManualClock) -> Iterator[Callable[[str], TaskActions]]:
    """The ActionPort with a real outbox sender reaching the service at the given FHIR base."""
    pools: list[HttpPool] = []

    def make(fhir_base: str) -> TaskActions:
        pools.append(HttpPool(timeout_s=5, retries=0))
        fhir = FhirClient(pools[-1].at(fhir_base))
        delivery = demo_delivery_token(pools[-1], backend, fhir_base, clock=clock)
        return TaskActions(TaskContext(fhir, clock, OutboxSender(outbox, fhir, delivery)))

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def actions(make_actions: Callable[[str], TaskActions], backend: DemoBackend) -> TaskActions:
    return make_actions(backend.fhir_base)


def observations(backend: DemoBackend, patient: str) -> list[dict[str, Any]]:
    return [o for o in backend.resources("Observation")
            if o["subject"]["reference"] == f"Patient/{patient}"]


def quantity(found: dict[str, Any]) -> tuple[str, str, Any]:
    return found["system"], found["code"], found["value"]


def test_every_kind_is_sent_and_read_back(actions: TaskActions, backend: DemoBackend,
                                          sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann")
    before = {o["id"] for o in observations(backend, "ola")}
    sent = [
        ("blood_pressure", {"systolic": 135, "diastolic": 85}),
        ("pulse", {"pulse": 64}),
        ("weight", {"weight": 72.5}),
        ("blood_glucose", {"glucose": 6.4}),
        ("oxygen_saturation", {"saturation": 97}),
    ]
    for kind, values in sent:
        session.remember("kind", kind)
        for key, value in values.items():
            session.remember(key, value)
        result = actions.perform("send_measurement", session)
        assert result.ok and not result.queued and result.error is None
    new = [o for o in observations(backend, "ola") if o["id"] not in before]
    by_code = {o["code"]["coding"][0]["code"]: o for o in new}
    assert set(by_code) == {"85354-9", "8867-4", "29463-7", "15074-8", "2708-6"}
    assert all(o["code"]["coding"][0]["system"] == LOINC for o in new)

    pressure = {c["code"]["coding"][0]["code"]: quantity(c["valueQuantity"])
                for c in by_code["85354-9"]["component"]}
    assert pressure == {"8480-6": (UCUM, "mm[Hg]", 135), "8462-4": (UCUM, "mm[Hg]", 85)}
    assert "valueQuantity" not in by_code["85354-9"]
    assert quantity(by_code["8867-4"]["valueQuantity"]) == (UCUM, "/min", 64)
    assert quantity(by_code["29463-7"]["valueQuantity"]) == (UCUM, "kg", 72.5)
    assert quantity(by_code["15074-8"]["valueQuantity"]) == (UCUM, "mmol/L", 6.4)
    assert quantity(by_code["2708-6"]["valueQuantity"]) == (UCUM, "%", 97)
    assert [c["code"] for c in by_code["2708-6"]["code"]["coding"]] == ["2708-6", "59408-5"]
    assert by_code["15074-8"]["category"][0]["coding"][0]["code"] == "laboratory"


def test_upper_not_above_lower_is_refused_with_a_message(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann", kind="blood_pressure",
                          systolic=80, diastolic=90)
    before = len(observations(backend, "ola"))
    result = actions.perform("send_measurement", session)
    assert not result.ok
    assert result.error == NOT_ABOVE["systolic"]
    assert len(observations(backend, "ola")) == before


def test_implausible_value_names_the_range(actions: TaskActions, backend: DemoBackend,
                                           sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann", kind="pulse", pulse=400)
    before = len(observations(backend, "ola"))
    result = actions.perform("send_measurement", session)
    assert not result.ok
    assert result.error == OUT_OF_RANGE["pulse"]
    assert result.values == {"min": 25, "max": 250}
    assert len(observations(backend, "ola")) == before


def test_a_missing_reading_is_reported(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann", kind="blood_pressure", systolic=120)
    with pytest.raises(MissingAnswer):
        actions.perform("send_measurement", session)


def test_unreachable_service_leaves_it_saved_on_the_kiosk_until_delivered(
    make_actions: Callable[[str], TaskActions], outbox: Outbox, backend: DemoBackend,
    clock: ManualClock, sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann", kind="weight", weight=80.2)
    before = {o["id"] for o in observations(backend, "ola")}
    away = make_actions(f"{closed_port_url()}/fhir")
    result = away.perform("send_measurement", session)
    assert result.ok and result.queued
    assert len(outbox.items()) == 1
    assert {o["id"] for o in observations(backend, "ola")} == before

    back = make_actions(backend.fhir_base)
    clock.advance(3600)
    assert back.context.sender is not None
    back.context.sender.deliver_due()
    (stored,) = [o for o in observations(backend, "ola") if o["id"] not in before]
    assert quantity(stored["valueQuantity"]) == (UCUM, "kg", 80.2)
    assert outbox.items() == []


def test_guide_number_steps_agree_with_the_plausible_ranges() -> None:
    guide = load_guide(bundled_guides_dir() / "measurements.yaml")
    (choice,) = [s for s in guide.steps.values() if s.kind == "choice"]
    assert {c.id for c in choice.choices} == set(kinds())
    for option in choice.choices:
        readings = kinds()[option.id].readings
        assert option.next == readings[0].key
        for reading in readings:
            step = guide.step(reading.key)
            assert step.kind == "number" and step.key == reading.key
            assert Decimal(str(step.minimum)) == reading.minimum, reading.key
            assert Decimal(str(step.maximum)) == reading.maximum, reading.key
            assert step.decimals == reading.decimals, reading.key
