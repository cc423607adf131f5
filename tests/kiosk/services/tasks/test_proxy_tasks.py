"""Proxy tasks through the guides' ActionPort against the demo backend (its access wired to
the Norwegian policy): the policy decides with the birth date the service records, what it
allows is read back as a RelatedPerson, and a parent acts for a child only while the policy
lets them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.services.delivery_token import DeliveryToken
from kiosk.services.demo_backend import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient, ServiceError
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.signin import TokenResponse
from kiosk.services.tasks.common import (
    MissingAnswer,
    NotSignedIn,
    TaskActions,
    TaskContext,
    who,
)
from kiosk.services.tasks.proxies import one_year_on
from kiosk.session import Session

SignIn = Callable[[str], TokenResponse]


@pytest.fixture
def backend(make_backend: Callable[..., DemoBackend]) -> DemoBackend:
    return make_backend(country="NO")


@pytest.fixture
def outbox(tmp_path: Path, clock: ManualClock) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db", clock=clock)
    yield box
    box.close()


@pytest.fixture
def make_actions(http: HttpClient, backend: DemoBackend, clock: ManualClock,
                 outbox: Outbox) -> Callable[[str], TaskActions]:
    def make(country: str = "NO") -> TaskActions:
        fhir = FhirClient(http)
        sender = OutboxSender(outbox, fhir, DeliveryToken(
            http, backend.client_id, backend.delivery_secret, clock=clock))
        return TaskActions(TaskContext(fhir, clock, sender, country=country))
    return make


def asking(sign_in: SignIn, patient: str, **answers: Any) -> Session:
    session = Session("en")
    token = sign_in(patient)
    session.sign_in(token.patient_id, patient.title(), token.access_token)
    for key, value in answers.items():
        session.remember(key, value, str(value))
    return session


def proxies_of(backend: DemoBackend, patient: str) -> list[dict[str, Any]]:
    return [p for p in backend.resources("RelatedPerson")
            if p["patient"]["reference"] == f"Patient/{patient}"
            and any(c["code"] == "HPOWATT" for r in p["relationship"] for c in r["coding"])]


def test_one_year_proxy_is_registered_and_read_back(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
    clock: ManualClock,
) -> None:
    session = asking(sign_in, "kari", relative="Ola  Nordmann", relative_born=1985,
                     duration="year")
    result = make_actions("NO").perform("give_proxy", session)
    assert result.ok and not result.queued, result
    [proxy] = proxies_of(backend, "kari")
    today = clock.now().date()
    assert proxy["name"] == [{"text": "Ola Nordmann"}]
    assert proxy["active"] is True
    assert proxy["period"] == {"start": today.isoformat(),
                               "end": one_year_on(today).isoformat()}


def test_open_ended_proxy_has_no_end(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = asking(sign_in, "ola", relative="Kari Nordmann", relative_born=1971,
                     duration="open")
    assert make_actions("NO").perform("give_proxy", session).ok
    [proxy] = proxies_of(backend, "ola")
    assert "end" not in proxy["period"]


def test_a_relative_who_may_be_under_18_is_refused_with_the_policy_reason(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
    clock: ManualClock,
) -> None:
    year = clock.now().date().year - 17
    session = asking(sign_in, "kari", relative="Emil Nordmann", relative_born=year,
                     duration="open")
    result = make_actions("NO").perform("give_proxy", session)
    assert not result.ok
    assert result.error == "A proxy must be 18 or older."
    assert proxies_of(backend, "kari") == []


def test_sweden_has_no_adult_proxy(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = asking(sign_in, "kari", relative="Ola Nordmann", relative_born=1985,
                     duration="year")
    result = make_actions("SE").perform("give_proxy", session)
    assert not result.ok
    assert result.error is not None and result.error.startswith("In Sweden there is no general")
    assert proxies_of(backend, "kari") == []


def test_a_missing_answer_or_no_sign_in_is_an_error(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    with pytest.raises(MissingAnswer):
        actions.perform("give_proxy", asking(sign_in, "kari", relative="Ola Nordmann"))
    with pytest.raises(NotSignedIn):
        actions.perform("give_proxy", Session("en"))


def test_one_year_on_from_29_february() -> None:
    assert one_year_on(date(2028, 2, 29)) == date(2029, 2, 28)
    assert one_year_on(date(2026, 12, 1)) == date(2027, 11, 30)


def pick_whose(actions: TaskActions, session: Session, label: str) -> None:
    [chosen] = [o for o in actions.options("whose_record", session) if o.label == label]
    session.remember("whose", chosen.id, chosen.label)
    assert actions.perform("act_for", session).ok


def test_kari_acts_for_her_son_and_back_for_herself(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    session = asking(sign_in, "kari")
    assert [o.label for o in actions.options("whose_record", session)] == [
        "Kari", "Emil Nordmann"]
    pick_whose(actions, session, "Emil Nordmann")
    assert session.acting_for is not None
    assert who(session)[1] == "emil" == session.acting_for.patient_id
    # The service now lets Kari's own token read Emil's appointments.
    assert isinstance(actions.options("my_appointments", session), list)
    pick_whose(actions, session, "Kari")
    assert session.acting_for is None and who(session)[1] == "kari"


def test_a_proxy_is_given_for_the_signed_in_citizen_even_while_acting_for_a_child(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    session = asking(sign_in, "kari")
    pick_whose(actions, session, "Emil Nordmann")
    for key, value in {"relative": "Ola Nordmann", "relative_born": 1985,
                       "duration": "open"}.items():
        session.remember(key, value, str(value))
    assert actions.perform("give_proxy", session).ok
    assert len(proxies_of(backend, "kari")) == 1 and proxies_of(backend, "emil") == []


def test_nobody_else_is_listed_for_a_citizen_without_children(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    assert [o.id for o in actions.options("whose_record", asking(sign_in, "ola"))] == ["ola"]


def test_a_child_of_16_takes_care_of_their_own_record(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn, clock: ManualClock,
) -> None:
    clock.advance((date(2029, 9, 4) - clock.now().date()).days * 86400.0 + 3600)
    actions = make_actions("NO")
    session = asking(sign_in, "kari")
    assert [o.id for o in actions.options("whose_record", session)] == ["kari"]
    session.act_for("emil", "Emil Nordmann")
    with pytest.raises(ServiceError):
        actions.options("my_appointments", session)


def test_acting_for_is_forgotten_by_wipe_and_by_a_new_sign_in() -> None:
    session = Session("en")
    session.sign_in("kari", "Kari", "token")
    session.act_for("emil", "Emil Nordmann")
    assert who(session) == ("token", "emil")
    session.wipe()
    assert session.acting_for is None
    session.sign_in("kari", "Kari", "token")
    session.act_for("emil", "Emil Nordmann")
    session.sign_in("ola", "Ola", "other")
    assert session.acting_for is None and who(session) == ("other", "ola")
