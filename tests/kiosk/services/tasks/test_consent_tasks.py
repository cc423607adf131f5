"""Consent tasks through the guides' ActionPort against the real demo backend: listing, giving
and withdrawing, read back from the server; and what the citizen is told when it cannot be done.

Reads go straight to the backend; submissions go through a loopback proxy the tests can take
down, as a kiosk whose connection drops between showing the list and sending.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.health import consent
from kiosk.services.http import HttpClient, HttpPool, ServiceError
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import Backoff, OutboxSender
from kiosk.services.tasks import consent as tasks
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from kiosk.session import Session
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.flaky_proxy import FlakyProxy, flaky_proxy
from tests.kiosk.services.tasks.sessions import SignIn, session_for

TITLES = {key: topic.title for key, topic in consent.topics().items()}


@pytest.fixture
def proxy(backend: DemoBackend) -> Iterator[FlakyProxy]:
    with flaky_proxy(int(backend.base_url.rsplit(":", 1)[1])) as running:
        yield running


@pytest.fixture
def actions(http: HttpClient, proxy: FlakyProxy, outbox: Outbox, backend: DemoBackend,
            clock: ManualClock) -> Iterator[TaskActions]:
    pool = HttpPool(timeout_s=2, retries=0)
    through_proxy = f"{proxy.url}/fhir"
    sender = OutboxSender(outbox, FhirClient(pool.at(through_proxy)),
                          demo_delivery_token(pool, backend, through_proxy, clock=clock),
                          backoff=Backoff(rng=random.Random(3)))
    yield TaskActions(TaskContext(FhirClient(http), clock, sender=sender))
    pool.close()


def consents_of(backend: DemoBackend, patient: str) -> list[dict[str, Any]]:
    return [c for c in backend.resources("Consent")
            if c["patient"]["reference"] == f"Patient/{patient}"]


def none_in_force(backend: DemoBackend, patient: str) -> None:
    """Start from a citizen with no consent in force, whatever the seed holds: the operator
    sets each of their Consents inactive."""
    for record in consents_of(backend, patient):
        backend.put({**record, "status": "inactive"})


def labels(actions: TaskActions, source: str, session: Session) -> list[str]:
    return [option.label for option in actions.options(source, session)]


def test_names_match_the_guide(actions: TaskActions) -> None:
    assert {"my_consents", "consents_to_give", "consents_to_withdraw"} <= actions.sources()
    assert {"give_consent", "withdraw_consent"} <= actions.actions()


def test_lists_what_is_in_force_and_what_can_be_given(actions: TaskActions, backend: DemoBackend,
                                                     sign_in: SignIn) -> None:
    none_in_force(backend, "fatima")
    session = session_for(sign_in, "fatima")
    assert actions.options("my_consents", session) == []
    assert actions.options("consents_to_withdraw", session) == []
    assert [(o.id, o.label) for o in actions.options("consents_to_give", session)] == list(
        TITLES.items())
    # A kind of consent the kiosk does not offer is listed (nothing is hidden), but it is not
    # offered for withdrawal: the confirm step could not say what is withdrawn.
    backend.put({
        "resourceType": "Consent", "status": "active",
        "scope": {"coding": [{"system": consent.SCOPE_SYSTEM, "code": "treatment"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": "Patient/fatima"}, "dateTime": "2026-01-05T10:00:00Z",
        "policyRule": {"coding": [{"system": consent.ACT_CODE_SYSTEM, "code": "OPTIN"}]},
    })
    assert labels(actions, "my_consents", session) == [tasks.OTHER_CONSENT]
    assert actions.options("consents_to_withdraw", session) == []
    assert len(actions.options("consents_to_give", session)) == len(TITLES)


def test_give_then_withdraw_read_back_from_the_server(actions: TaskActions, backend: DemoBackend,
                                                      outbox: Outbox, sign_in: SignIn) -> None:
    none_in_force(backend, "fatima")
    session = session_for(sign_in, "fatima")
    before = {c["id"] for c in consents_of(backend, "fatima")}
    session.remember("new_consent", "research", TITLES["research"])
    given = actions.perform("give_consent", session)
    assert given.ok and not given.queued and given.values == {"consent_topic": "research"}
    (new,) = [c for c in consents_of(backend, "fatima") if c["id"] not in before]
    assert new["status"] == "active"
    assert new["scope"]["coding"][0]["code"] == "research"
    assert outbox.items() == []
    assert [o.id for o in actions.options("my_consents", session)] == [new["id"]]
    assert "research" not in [o.id for o in actions.options("consents_to_give", session)]
    withdrawable = actions.options("consents_to_withdraw", session)
    assert [(o.id, o.label) for o in withdrawable] == [(new["id"], TITLES["research"])]

    session.remember("consent", new["id"], TITLES["research"])
    withdrawn = actions.perform("withdraw_consent", session)
    assert withdrawn.ok and not withdrawn.queued
    status = {c["id"]: c["status"] for c in consents_of(backend, "fatima")}
    assert status[new["id"]] == "inactive"
    assert actions.options("consents_to_withdraw", session) == []
    assert "research" in [o.id for o in actions.options("consents_to_give", session)]


def test_giving_twice_changes_nothing(actions: TaskActions, backend: DemoBackend,
                                      sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari")
    count = len(consents_of(backend, "kari"))
    session.remember("new_consent", "research")
    result = actions.perform("give_consent", session)
    assert not result.ok and result.error == tasks.ALREADY_GIVEN
    assert len(consents_of(backend, "kari")) == count


def test_withdrawing_what_is_not_in_force_is_refused(actions: TaskActions, backend: DemoBackend,
                                                    sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola")
    for consent_id in ("ola-research", "kari-research"):  # withdrawn; someone else's
        session.remember("consent", consent_id)
        result = actions.perform("withdraw_consent", session)
        assert not result.ok and result.error == tasks.NOT_IN_FORCE
    assert {c["id"]: c["status"] for c in backend.resources("Consent")}["kari-research"] == "active"


def test_an_unknown_topic_or_no_answer_is_told(actions: TaskActions, sign_in: SignIn) -> None:
    session = session_for(sign_in, "ola")
    with pytest.raises(MissingAnswer):
        actions.perform("give_consent", session)
    session.remember("new_consent", "marketing")
    assert actions.perform("give_consent", session).error == tasks.UNKNOWN_TOPIC


def test_a_consent_given_while_the_service_is_away_waits_on_the_kiosk(
    actions: TaskActions, backend: DemoBackend, outbox: Outbox, proxy: FlakyProxy,
    sign_in: SignIn
) -> None:
    none_in_force(backend, "fatima")
    session = session_for(sign_in, "fatima")
    count = len(consents_of(backend, "fatima"))
    session.remember("new_consent", "sharing")
    proxy.set(False)
    result = actions.perform("give_consent", session)
    assert result.ok and result.queued
    (waiting,) = outbox.items()
    assert waiting.submission.resource_type == "Consent" and waiting.submission.update_id is None
    assert len(consents_of(backend, "fatima")) == count


def test_a_withdrawal_that_cannot_be_sent_is_raised_and_not_kept(
    actions: TaskActions, backend: DemoBackend, outbox: Outbox, proxy: FlakyProxy,
    sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari")
    session.remember("consent", "kari-research")
    proxy.set(False)
    with pytest.raises(ServiceError):
        actions.perform("withdraw_consent", session)
    assert {c["id"]: c["status"] for c in backend.resources("Consent")}["kari-research"] == "active"
    assert outbox.items() == []
