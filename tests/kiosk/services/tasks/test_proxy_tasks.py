"""Proxy tasks through the guides' ActionPort against the demo backend (its access wired to
the Norwegian policy): the relative's national ID number is checked and gives their birth
date, the policy decides with the birth date and confidentiality the service records, what it
allows (all areas, or some) is read back as a RelatedPerson, the proxy then acts for the giver
only in those areas, and a parent acts for a child only while the policy lets them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.guides.loader import bundled_guides_dir, load_guide
from kiosk.policy.access import policy_for
from kiosk.policy.reasons import REASONS
from kiosk.services.fhir import NO_NATIONAL_ID, FhirClient
from kiosk.services.health.national_id import NOT_VALID, WRONG_LENGTH
from kiosk.services.health.proxies import (
    AREA_EXTENSION,
    NotAllowedForThem,
    register_proxy,
    related_people,
)
from kiosk.services.http import HttpClient, HttpPool, ServiceError
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import OutboxSender
from kiosk.services.tasks.common import (
    MissingAnswer,
    NotSignedIn,
    TaskActions,
    TaskContext,
    who,
)
from kiosk.services.tasks.proxies import AREA_WORDS, NOT_IN_FORCE, NOTHING_CHOSEN, one_year_on
from kiosk.session import Session
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.tasks.sessions import SignIn, session_for

OLA_ID, EMIL_ID = "02888510128", "04891350037"
SOME = {"scope": "some", "area_appointments": True, "area_medicines": False,
        "area_messages": False, "area_records": True}


@pytest.fixture
def backend(make_backend: Callable[..., DemoBackend]) -> DemoBackend:
    return make_backend(country="NO")


@pytest.fixture
def make_actions(http: HttpClient, backend: DemoBackend, clock: ManualClock,
                 outbox: Outbox) -> Iterator[Callable[[str], TaskActions]]:
    pool = HttpPool(timeout_s=5, retries=0)

    def make(country: str = "NO") -> TaskActions:
        fhir = FhirClient(http)
        sender = OutboxSender(outbox, fhir, demo_delivery_token(pool, backend, clock=clock))
        return TaskActions(TaskContext(fhir, clock, sender, country=country))
    yield make
    pool.close()


def proxies_of(backend: DemoBackend, patient: str) -> list[dict[str, Any]]:
    return [p for p in backend.resources("RelatedPerson")
            if p["patient"]["reference"] == f"Patient/{patient}"
            and any(c["code"] == "HPOWATT" for r in p["relationship"] for c in r["coding"])]


def areas_of(proxy: dict[str, Any]) -> list[str]:
    return [e["valueCode"] for e in proxy["extension"] if e["url"] == AREA_EXTENSION]


def test_one_year_proxy_for_everything_is_registered_and_read_back(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
    clock: ManualClock, http: HttpClient,
) -> None:
    session = session_for(sign_in, "kari", relative="Ola  Nordmann", relative_id="028885 10128",
                          scope="all", duration="year")
    actions = make_actions("NO")
    assert actions.perform("check_relative", session).ok
    result = actions.perform("give_proxy", session)
    assert result.ok and not result.queued, result
    [proxy] = proxies_of(backend, "kari")
    today = clock.now().date()
    assert proxy["name"] == [{"text": "Ola Nordmann"}]
    assert proxy["active"] is True
    assert proxy["period"] == {"start": today.isoformat(),
                               "end": one_year_on(today).isoformat()}
    assert areas_of(proxy) == ["all"]
    assert {"system": NO_NATIONAL_ID, "value": OLA_ID} in proxy["identifier"]
    # The client reads it back the same way.
    [record] = related_people(FhirClient(http), session.person.access_token, "kari")
    assert (record.areas, record.national_id, record.is_proxy) == (("all",), OLA_ID, True)


def test_open_ended_proxy_for_some_areas(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "ola", relative="Kari Nordmann", relative_id="15837110073",
                          duration="open", **SOME)
    assert make_actions("NO").perform("give_proxy", session).ok
    [proxy] = proxies_of(backend, "ola")
    assert "end" not in proxy["period"]
    assert areas_of(proxy) == ["appointments", "records"]


def test_the_summary_says_what_and_for_how_long_in_words(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    session = session_for(sign_in, "kari", relative="Ola Nordmann", duration="year", **SOME)
    summary = actions.options("proxy_summary", session)
    assert [(o.label, o.label_msgid) for o in summary] == [
        ("Book and change appointments", True),
        ("See your vaccines, health contacts and health records", True),
        ("For one year", True)]
    session.remember("scope", "all", "All my health services")
    session.remember("duration", "open", "Until I end it")
    assert [o.label for o in actions.options("proxy_summary", session)] == [
        "Use all your health services", "Until I end it"]


def test_saying_no_to_every_area_gives_nothing(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    none = {**SOME, "area_appointments": False, "area_records": False}
    session = session_for(sign_in, "kari", relative="Ola Nordmann", relative_id=OLA_ID,
                          duration="year", **none)
    assert actions.options("proxy_summary", session) == []
    result = actions.perform("give_proxy", session)
    assert (result.ok, result.error) == (False, NOTHING_CHOSEN)
    assert proxies_of(backend, "kari") == []


@pytest.mark.parametrize(
    ("typed", "error", "values"),
    [("0288851012", WRONG_LENGTH, {"count": 10}), ("02888510129", NOT_VALID, {}),
     ("01013050038", NOT_VALID, {})],  # a valid number of someone born in 2030
)
def test_a_wrong_number_is_said_at_once_and_nothing_is_given(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
    typed: str, error: str, values: dict[str, Any],
) -> None:
    actions = make_actions("NO")
    session = session_for(sign_in, "kari", relative="Ola Nordmann", relative_id=typed,
                          scope="all", duration="year")
    for step in ("check_relative", "give_proxy"):
        result = actions.perform(step, session)
        assert (result.ok, result.error, result.values) == (False, error, values)
    assert proxies_of(backend, "kari") == []


def test_a_relative_under_18_is_refused_with_the_policy_reason(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "kari", relative="Emil Nordmann", relative_id=EMIL_ID,
                          scope="all", duration="open")
    actions = make_actions("NO")
    for step in ("check_relative", "give_proxy"):
        result = actions.perform(step, session)
        assert (result.ok, result.error) == (False, "A proxy must be 18 or older.")
    assert proxies_of(backend, "kari") == []


def test_a_giver_with_a_confidential_address_is_refused_with_a_clear_reason(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "fatima", relative="Ola Nordmann", relative_id=OLA_ID,
                          scope="all", duration="open")
    actions = make_actions("NO")
    for step in ("check_relative", "give_proxy"):
        result = actions.perform(step, session)
        assert (result.ok, result.error) == (False, REASONS["proxy_giver_protected"])
    assert proxies_of(backend, "fatima") == []


def test_sweden_has_no_adult_proxy(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
) -> None:
    session = session_for(sign_in, "kari", relative="Ola Nordmann", relative_id=OLA_ID,
                          scope="all", duration="year")
    for step in ("check_relative", "give_proxy"):
        result = make_actions("SE").perform(step, session)
        assert not result.ok
        assert result.error is not None and result.error.startswith("In Sweden there is no")
    assert proxies_of(backend, "kari") == []


def test_a_missing_answer_or_no_sign_in_is_an_error(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    with pytest.raises(MissingAnswer):
        actions.perform("give_proxy", session_for(sign_in, "kari", relative="Ola Nordmann"))
    some_unasked = {k: v for k, v in SOME.items() if k != "area_messages"}
    with pytest.raises(MissingAnswer, match="area"):
        actions.perform("give_proxy", session_for(sign_in, "kari", relative="Ola Nordmann",
                                                  relative_id=OLA_ID, duration="open",
                                                  **some_unasked))
    with pytest.raises(NotSignedIn):
        actions.perform("give_proxy", Session("en"))


def test_every_proxy_choice_has_words_and_a_question_in_the_guide() -> None:
    choices = policy_for("NO").proxy_choices
    assert set(AREA_WORDS) == {"all", *choices}
    guide = load_guide(bundled_guides_dir() / "proxy.yaml")
    asked = [s for s in guide.steps.values() if s.id.startswith("area_")]
    assert [s.id for s in asked] == [f"area_{name}" for name in choices]
    assert all(s.kind == "confirm" and s.private for s in asked)
    assert guide.step("relative_id").private


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
    session = session_for(sign_in, "kari")
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
    session = session_for(sign_in, "kari")
    pick_whose(actions, session, "Emil Nordmann")
    for key, value in {"relative": "Ola Nordmann", "relative_id": OLA_ID, "scope": "all",
                       "duration": "open"}.items():
        session.remember(key, value, str(value))
    assert actions.perform("give_proxy", session).ok
    assert len(proxies_of(backend, "kari")) == 1 and proxies_of(backend, "emil") == []


def test_nobody_else_is_listed_for_a_citizen_without_children(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    assert [o.id for o in actions.options("whose_record", session_for(sign_in, "ola"))] == ["ola"]


def test_a_child_of_16_takes_care_of_their_own_record(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn, clock: ManualClock,
) -> None:
    clock.advance((date(2029, 9, 4) - clock.now().date()).days * 86400.0 + 3600)
    actions = make_actions("NO")
    session = session_for(sign_in, "kari")
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


def test_a_proxy_for_appointments_only_is_clearly_refused_medicines(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    kari = session_for(sign_in, "kari", relative="Ola Nordmann", relative_id=OLA_ID,
                       duration="open", **{**SOME, "area_records": False})
    assert actions.perform("give_proxy", kari).ok
    ola = session_for(sign_in, "ola")
    assert [o.label for o in actions.options("whose_record", ola)] == ["Ola", "Kari Nordmann"]
    pick_whose(actions, ola, "Kari Nordmann")
    assert [o.id for o in actions.options("my_appointments", ola)]
    with pytest.raises(NotAllowedForThem) as caught:
        actions.options("my_medicines", ola)
    assert caught.value.msgid == (
        "You may not do this for the person you are helping. What you may do depends on the"
        " proxy they gave you, or on the child's age.")
    # Ola's own medicines are his to see, with the same token.
    pick_whose(actions, ola, "Ola")
    assert actions.options("my_medicines", ola)


def test_a_403_for_ones_own_record_keeps_its_own_message(
    make_actions: Callable[[str], TaskActions], sign_in: SignIn,
) -> None:
    actions = make_actions("NO")
    session = session_for(sign_in, "kari")
    session.person = type(session.person)("ola", "Kari", session.person.access_token)
    with pytest.raises(ServiceError) as caught:
        actions.options("my_medicines", session)
    assert not isinstance(caught.value, NotAllowedForThem)


def test_only_proxies_in_force_can_be_ended_and_an_ended_one_acts_for_no_one(
    make_actions: Callable[[str], TaskActions], backend: DemoBackend, sign_in: SignIn,
    clock: ManualClock,
) -> None:
    today = clock.now().date()
    for rid, start, end, active in (("in-force", date(2026, 1, 1), None, True),
                                    ("ended", date(2025, 1, 1), date(2025, 12, 31), True),
                                    ("withdrawn", date(2026, 1, 1), None, False),
                                    ("later", date(2099, 1, 1), None, True)):
        resource = register_proxy("kari", f"Ola {rid}", start, end, national_id=OLA_ID).resource
        backend.put({**resource, "id": rid, "active": active})
    assert today.year == 2026
    actions = make_actions("NO")
    kari = session_for(sign_in, "kari")
    assert [(o.id, o.label) for o in actions.options("my_proxies", kari)] == [
        ("in-force", "Ola in-force")]
    ola = session_for(sign_in, "ola")
    assert "Kari Nordmann" in [o.label for o in actions.options("whose_record", ola)]

    kari.remember("which_proxy", "in-force", "Ola in-force")
    assert actions.perform("end_proxy", kari).ok
    (ended,) = [p for p in proxies_of(backend, "kari") if p["id"] == "in-force"]
    assert ended["active"] is False
    assert actions.options("my_proxies", kari) == []
    assert [o.label for o in actions.options("whose_record", ola)] == ["Ola"]

    again = actions.perform("end_proxy", kari)
    assert not again.ok and again.error == NOT_IN_FORCE
