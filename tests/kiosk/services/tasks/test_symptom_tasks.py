"""Sending the symptom questionnaire through the guides' ActionPort, against the real demo
backend and a real outbox: the QuestionnaireResponse read back from the server, a missing
answer reported, an unreachable service leaving it saved on the kiosk; and the guide holding
only questions the questionnaire can carry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.health.questionnaire import responses
from kiosk.services.http import HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from kiosk.services.tasks.symptoms import QUESTIONNAIRE, symptom_guide, symptom_questionnaire
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.tasks.sessions import SignIn, session_for
from tests.loopback import closed_port_url

ANSWERS = {"fever": "yes", "cough": "no", "breath": "yes", "feeling": 6}


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


def sent_by(backend: DemoBackend, patient: str) -> list[dict[str, Any]]:
    return [r for r in backend.resources("QuestionnaireResponse")
            if r["subject"]["reference"] == f"Patient/{patient}"]


def test_answers_are_sent_and_read_back(make_actions: Callable[[str], TaskActions],
                                        backend: DemoBackend, sign_in: SignIn) -> None:
    actions = make_actions(backend.fhir_base)
    session = session_for(sign_in, "ola", "Ola Nordmann", **ANSWERS)
    before = {r["id"] for r in sent_by(backend, "ola")}
    result = actions.perform("send_symptoms", session)
    assert result.ok and not result.queued

    (stored,) = [r for r in sent_by(backend, "ola") if r["id"] not in before]
    assert stored["status"] == "completed"
    assert stored["questionnaire"] == QUESTIONNAIRE
    assert [(i["linkId"], i["answer"]) for i in stored["item"]] == [
        ("fever", [{"valueBoolean": True}]),
        ("cough", [{"valueBoolean": False}]),
        ("breath", [{"valueBoolean": True}]),
        ("feeling", [{"valueInteger": 6}]),
    ]
    assert stored["item"][0]["text"] == "Do you have a fever?"

    token = session.person.access_token  # type: ignore[union-attr]
    (latest, *_older) = responses(actions.context.fhir, token, "ola")
    assert [(a.link_id, a.value) for a in latest.answers] == [
        ("fever", True), ("cough", False), ("breath", True), ("feeling", 6)]


def test_a_missing_answer_sends_nothing(make_actions: Callable[[str], TaskActions],
                                        backend: DemoBackend, sign_in: SignIn) -> None:
    actions = make_actions(backend.fhir_base)
    partial = {k: v for k, v in ANSWERS.items() if k != "breath"}
    session = session_for(sign_in, "ola", "Ola Nordmann", **partial)
    before = len(sent_by(backend, "ola"))
    with pytest.raises(MissingAnswer):
        actions.perform("send_symptoms", session)
    assert len(sent_by(backend, "ola")) == before


def test_unreachable_service_leaves_it_saved_on_the_kiosk(
    make_actions: Callable[[str], TaskActions], outbox: Outbox, backend: DemoBackend,
    sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "ola", "Ola Nordmann", **ANSWERS)
    before = len(sent_by(backend, "ola"))
    result = make_actions(f"{closed_port_url()}/fhir").perform("send_symptoms", session)
    assert result.ok and result.queued
    (item,) = outbox.items()
    assert item.submission.resource_type == "QuestionnaireResponse"
    assert len(sent_by(backend, "ola")) == before


def test_the_guide_asks_only_yes_no_and_number_questions() -> None:
    guide = symptom_guide()
    asked = [s for s in guide.steps.values() if s.kind in ("choice", "number")]
    assert [s.key for s in asked] == list(ANSWERS)
    for step in asked:
        if step.kind == "choice":
            assert sorted(c.id for c in step.choices) == ["no", "yes"]
        else:
            assert step.decimals == 0 and (step.minimum, step.maximum) == (0, 10)


def test_the_practice_service_seeds_exactly_the_questionnaire_the_guide_makes(
    backend: DemoBackend,
) -> None:
    (seeded,) = [q for q in backend.resources("Questionnaire") if q.get("url") == QUESTIONNAIRE]
    assert {k: v for k, v in seeded.items() if k != "meta"} == symptom_questionnaire()
