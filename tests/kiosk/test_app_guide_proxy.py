"""The proxy guides through the real app and demo backend, by keys only: Kari makes Ola her
proxy for all her health services for one year, or for some of them until she ends it (read
back from the service as a RelatedPerson with its areas and Ola's national ID number); a
mistyped number, a relative under 18, a confidential address and Sweden are refused with the
reason and register nothing; Kari opens her son's record and every screen names him until the
session ends; Ola, Kari's proxy for medicines only, is told plainly that her appointments are
not his to see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.policy.reasons import REASONS
from kiosk.runtime import Runtime
from kiosk.services.fhir import NO_NATIONAL_ID
from kiosk.services.health.national_id import WRONG_LENGTH
from kiosk.services.health.proxies import AREA_EXTENSION, NotAllowedForThem, register_proxy

OLA_ID, EMIL_ID = "02888510128", "04891350037"


def proxies_of(runtime: Runtime, patient: str) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [p for p in runtime.demo.resources("RelatedPerson")
            if p["patient"]["reference"] == f"Patient/{patient}"
            and any(c["code"] == "HPOWATT" for r in p["relationship"] for c in r["coding"])]


def areas_of(proxy: dict[str, Any]) -> list[str]:
    return [e["valueCode"] for e in proxy["extension"] if e["url"] == AREA_EXTENSION]


async def open_proxy_guide(kd: SimpleNamespace, pilot: Any, guide: str = "proxy") -> None:
    await kd.open_task(pilot, guide)


async def at(kd: SimpleNamespace, pilot: Any, step_id: str) -> None:
    """Wait for the guide's step ``step_id``, ready for input (steps of one kind follow each
    other here, so the kind alone does not tell them apart)."""
    app = pilot.app

    def ready() -> bool:
        return (kd.screen_name(app) == "StepView" and kd.view(app).runner.step.id == step_id
                and not kd.view(app).query("#working"))

    await kd.wait_until(pilot, ready, f"the step {step_id}")
    await pilot.pause()


async def type_in(pilot: Any, text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text), "enter")


async def start(kd: SimpleNamespace, pilot: Any, key: str, step_id: str,
                giver: str = "kari") -> None:
    """Open the proxy guide, sign in as ``giver``, choose ``key`` (1 give, 2 end) and wait for
    the step that choice leads to."""
    await open_proxy_guide(kd, pilot)
    await kd.approve_by_phone(pilot, giver)
    await at(kd, pilot, "what")
    await pilot.press(key)
    await at(kd, pilot, step_id)


async def start_giving(kd: SimpleNamespace, pilot: Any, giver: str = "kari") -> None:
    await start(kd, pilot, "1", "relative", giver)


async def answer_up_to_scope(kd: SimpleNamespace, pilot: Any, name: str, number: str,
                             giver: str = "kari") -> None:
    await start_giving(kd, pilot, giver)
    await type_in(pilot, name)
    await at(kd, pilot, "relative_id")
    assert kd.shows(pilot.app, f"What is the national ID number of {name}?")
    await pilot.press(*number)
    await pilot.pause()
    assert not kd.shows(pilot.app, number), "the number is typed as dots"
    assert number not in kd.view(pilot.app).speech_text()
    await pilot.press("enter")
    await at(kd, pilot, "scope")


async def give(kd: SimpleNamespace, pilot: Any) -> None:
    """From the summary: Next, then yes; wait for the finish screen."""
    await pilot.press("1")
    await at(kd, pilot, "confirm")
    assert kd.shows(pilot.app, "Do you want to give Ola Nordmann this proxy?")
    await pilot.press("y")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "finish")


async def test_kari_makes_ola_her_proxy_for_everything_for_one_year_by_keys_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await answer_up_to_scope(kd, pilot, "Ola Nordmann", OLA_ID)
        await pilot.press("1")  # All my health services
        await at(kd, pilot, "duration")
        await pilot.press("1")  # For one year
        await at(kd, pilot, "summary")
        assert kd.shows(app, "Ola Nordmann may do this for you:")
        assert kd.shows(app, "Use all your health services")
        assert kd.shows(app, "For one year")
        await give(kd, pilot)
        assert "Ola Nordmann is now your proxy." in str(kd.view(app).text)
    [proxy] = proxies_of(runtime, "kari")
    assert proxy["name"] == [{"text": "Ola Nordmann"}]
    assert proxy["active"] is True
    assert proxy["period"]["start"] < proxy["period"]["end"]
    assert areas_of(proxy) == ["all"]
    assert {"system": NO_NATIONAL_ID, "value": OLA_ID} in proxy["identifier"]


async def test_kari_makes_ola_her_proxy_for_some_services_until_she_ends_it(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await answer_up_to_scope(kd, pilot, "Ola Nordmann", "028885 10128")
        await pilot.press("2")  # Only some services
        for step, key in (("area_appointments", "y"), ("area_medicines", "n"),
                          ("area_messages", "n"), ("area_records", "y")):
            await at(kd, pilot, step)
            await pilot.press(key)
        assert kd.shows(app, "For how long may Ola Nordmann help you?")
        await at(kd, pilot, "duration")
        await pilot.press("2")  # Until I end it
        await at(kd, pilot, "summary")
        for said in ("Book and change appointments",
                     "See your vaccines, health contacts and health records", "Until I end it"):
            assert kd.shows(app, said), said
        assert not kd.shows(app, "See your medicines and ask for renewals")
        assert not kd.shows(app, "Send messages to your GP office")
        await give(kd, pilot)
    [proxy] = proxies_of(runtime, "kari")
    assert areas_of(proxy) == ["appointments", "records"]
    assert "end" not in proxy["period"]
    assert {"system": NO_NATIONAL_ID, "value": OLA_ID} in proxy["identifier"]


async def test_a_mistyped_number_is_said_under_the_question_and_can_be_fixed(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await start_giving(kd, pilot)
        await type_in(pilot, "Ola Nordmann")
        await at(kd, pilot, "relative_id")
        await type_in(pilot, OLA_ID[:-1])
        message = app.l10n.format(WRONG_LENGTH, count=10)
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "relative_id"
                            and kd.shows(app, message), "the mistake said")
        assert message == "A national ID number has 11 digits. You typed 10."
        await pilot.press("end", OLA_ID[-1], "enter")
        await at(kd, pilot, "scope")
    assert proxies_of(runtime, "kari") == []


async def refused_at_the_number(kd: SimpleNamespace, app: KioskApp, runtime: Runtime,
                                number: str, reason: str, giver: str = "kari") -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await start_giving(kd, pilot, giver)
        await type_in(pilot, "Emil Nordmann")
        await at(kd, pilot, "relative_id")
        await type_in(pilot, number)
        message = app.l10n.gettext(REASONS[reason])
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "relative_id"
                            and kd.shows(app, message), "the refusal drawn")
        assert message in kd.view(app).speech_text().splitlines()
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
    assert proxies_of(runtime, giver) == []


async def test_a_relative_under_18_is_refused_with_the_reason(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    await refused_at_the_number(kd, app, runtime, EMIL_ID, "proxy_under_18")


async def test_a_giver_with_a_confidential_address_is_told_plainly(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    await refused_at_the_number(kd, app, runtime, OLA_ID, "proxy_giver_protected", "fatima")


async def test_sweden_refuses_every_adult_proxy(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime]
) -> None:
    runtime = make_runtime(country="SE")
    await refused_at_the_number(kd, KioskApp(runtime), runtime, OLA_ID, "no_adult_proxy_sweden")


async def test_no_to_every_service_gives_no_proxy_and_says_why(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await answer_up_to_scope(kd, pilot, "Ola Nordmann", OLA_ID)
        await pilot.press("2")
        for step in ("area_appointments", "area_medicines", "area_messages", "area_records"):
            await at(kd, pilot, step)
            await pilot.press("n")
        await at(kd, pilot, "duration")
        await pilot.press("1")
        await at(kd, pilot, "summary")
        assert kd.shows(app, "You said no to every service. Touch Next, then No, to choose again.")
        await pilot.press("1")
        await at(kd, pilot, "confirm")
        await pilot.press("y")
        await at(kd, pilot, "refused")
        assert kd.shows(app, "You said no to every service, so there is no proxy to give.")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        assert "No proxy was given." in str(kd.view(app).text)
    assert proxies_of(runtime, "kari") == []


def ola_helps_kari_with(runtime: Runtime, area: str) -> None:
    """Kari has made Ola her proxy for ``area`` (given on her phone, say)."""
    assert runtime.demo is not None
    runtime.demo.put(register_proxy("kari", "Ola Nordmann", date(2026, 11, 1),
                                    areas=[area], national_id=OLA_ID).resource)


async def act_for(kd: SimpleNamespace, pilot: Any, citizen: str, key: str) -> None:
    """Open "use the record of someone I help" as ``citizen``, take the record on tile ``key``
    (1 is the citizen's own), then go on to another task with it."""
    await open_proxy_guide(kd, pilot, "acting_for")
    await kd.approve_by_phone(pilot, citizen)
    await kd.at_step(pilot, "slot")
    await pilot.press(key)
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "finish")
    await kd.wait_until(pilot, lambda: kd.shows(pilot.app, "Another task"), "the finish")
    await pilot.press("2")


async def their_appointments(kd: SimpleNamespace, pilot: Any) -> None:
    """From the menu: the appointment guide's "move", which lists the booked appointments."""
    await kd.pick_task(pilot, "appointment")
    await kd.at_step(pilot, "choice")
    await pilot.press("2")


async def test_kari_opens_her_sons_record_and_every_screen_names_him(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    banner = "You are using the health record of: Emil Nordmann"
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_proxy_guide(kd, pilot, "acting_for")
        await kd.approve_by_phone(pilot, "kari")
        await kd.at_step(pilot, "slot")
        assert not kd.shows(app, banner)
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await kd.wait_until(pilot, lambda: kd.shows(app, banner), "the banner on the finish")
        assert kd.shows(app, "You are now using the health record of Emil Nordmann.")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        await kd.wait_until(pilot, lambda: kd.shows(app, banner), "the banner on the menu")
        await their_appointments(kd, pilot)
        await kd.at_step(pilot, "slot")
        assert kd.shows(app, banner)
        assert kd.shows(app, "You have no appointments booked.")
        assert runtime.session.acting_for is not None
        assert runtime.session.acting_for.patient_id == "emil"
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
        assert runtime.session.acting_for is None
        assert not kd.shows(app, banner)


async def test_ola_sees_karis_appointments_with_a_proxy_for_appointments(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    ola_helps_kari_with(runtime, "appointments")
    async with app.run_test(size=kd.SIZE) as pilot:
        await act_for(kd, pilot, "ola", "2")
        await their_appointments(kd, pilot)
        await kd.at_step(pilot, "slot")
        assert kd.shows(app, "You are using the health record of: Kari Nordmann")
        assert kd.view(app).options, "Kari's booked appointment is listed"


async def test_ola_with_a_proxy_for_medicines_only_sees_her_medicines_but_not_her_times(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    ola_helps_kari_with(runtime, "medicines")
    async with app.run_test(size=kd.SIZE) as pilot:
        await act_for(kd, pilot, "ola", "2")
        await kd.pick_task(pilot, "medicines")
        await kd.at_step(pilot, "list")
        assert kd.shows(app, "Levothyroxine 50 microgram tablet")
        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Another task"), "the finish")
        await pilot.press("2")

        await their_appointments(kd, pilot)
        message = app.l10n.gettext(NotAllowedForThem.msgid)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen"
                            and kd.shows(app, message), "the refusal")
        assert message in kd.view(app).speech_text().splitlines()
        assert kd.shows(app, "You are using the health record of: Kari Nordmann")


async def test_kari_ends_the_proxy_she_gave_ola_by_keys_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    runtime.demo.put({**register_proxy("kari", "Ola Nordmann", date(2026, 11, 1),
                                       national_id=OLA_ID).resource, "id": "ola-for-kari"})
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "2", "which_proxy")
        assert kd.shows(app, "Ola Nordmann")
        await pilot.press("1")
        await at(kd, pilot, "end_confirm")
        assert kd.shows(app, "Ola Nordmann will no longer be able to use your health services "
                             "for you. Is that right?")
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "finish")
        assert "The proxy for Ola Nordmann has ended." in str(kd.view(app).text)
    (ended,) = [p for p in proxies_of(runtime, "kari") if p["id"] == "ola-for-kari"]
    assert ended["active"] is False


async def test_with_no_proxy_given_there_is_nothing_to_end(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "2", "which_proxy")
        assert kd.shows(app, "You have not given anyone a proxy that is in force.")
