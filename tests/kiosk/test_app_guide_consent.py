"""The consent guide through the real app, demo backend and phone sign-in, by keys only: give a
consent, then withdraw it, reading the Consent back from the demo service each time; and what
the citizen is told when there is nothing to withdraw, when it was withdrawn meanwhile, and when
the withdrawal cannot be sent (it is never kept on the kiosk)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.services.http import ServiceUnavailable
from kiosk.services.tasks.consent import NOT_IN_FORCE
from tests.loopback import closed_port_url


def none_in_force(runtime: Runtime, patient: str) -> None:
    """Start from a citizen with no consent in force, whatever the seed holds."""
    assert runtime.demo is not None
    for record in runtime.demo.resources("Consent"):
        if record["patient"]["reference"] == f"Patient/{patient}":
            runtime.demo.put({**record, "status": "inactive"})


def research_consents(runtime: Runtime, patient: str) -> dict[str, str]:
    """id -> status of the patient's research Consents on the demo service."""
    assert runtime.demo is not None
    return {c["id"]: c["status"] for c in runtime.demo.resources("Consent")
            if c["patient"]["reference"] == f"Patient/{patient}"
            and c["scope"]["coding"][0]["code"] == "research"}


async def open_consent(kd: SimpleNamespace, pilot: Any) -> None:
    """kd.open_task by keys, up to the tile: that helper waits for a step screen, but this
    guide's first step is signing in, so the sign-in screen comes up at once."""
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "LanguageView", "languages")
    await pilot.press("2")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "MenuView", "the menu")
    for _ in range(10):
        await pilot.pause()
        tile = kd.view(pilot.app).query("#guide-consent")
        if tile:
            await pilot.press(str(tile.first().number))
            return
        await pilot.press(str(kd.view(pilot.app).query_one("#page-next").number))
    raise AssertionError("the menu never showed the consent guide")


async def start(kd: SimpleNamespace, pilot: Any, patient: str, *listed: str) -> None:
    """Open the guide, sign in on the phone, read the list of consents in force, go on."""
    await open_consent(kd, pilot)
    await kd.approve_by_phone(pilot, patient)
    await kd.at_step(pilot, "list")
    assert kd.shows(pilot.app, "These are the consents you have given.")
    for item in listed:
        assert kd.shows(pilot.app, item)
    await pilot.press("1")
    await kd.at_step(pilot, "choice")


async def finish(kd: SimpleNamespace, pilot: Any) -> str:
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "the end")
    text = str(kd.view(pilot.app).text)
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "IdleView", "idle")
    return text


async def test_give_then_withdraw_by_keys_only(kd: SimpleNamespace, app: KioskApp,
                                               runtime: Runtime) -> None:
    none_in_force(runtime, "fatima")
    before = research_consents(runtime, "fatima")
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "fatima", "You have not given any consents.")
        assert not kd.shows(app, "Take part in medical research")
        await pilot.press("1")  # give a consent
        await kd.at_step(pilot, "slot")
        assert kd.shows(app, "Take part in medical research")
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "You are giving your consent to: Take part in medical research.")
        await pilot.press("y")
        given_text = await finish(kd, pilot)
        assert "Your consent is given" in given_text
        after_give = research_consents(runtime, "fatima")
        (new_id,) = set(after_give) - set(before)
        assert after_give[new_id] == "active"

        await start(kd, pilot, "fatima", "Take part in medical research")
        assert kd.shows(app, "What do you want to do?")
        await pilot.press("2")  # withdraw a consent
        await kd.at_step(pilot, "slot")
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "You are withdrawing your consent to: Take part in medical research.")
        await pilot.press("y")
        withdrawn_text = await finish(kd, pilot)
        assert "Your consent is withdrawn" in withdrawn_text
    assert research_consents(runtime, "fatima") == {**after_give, new_id: "inactive"}


async def test_nothing_to_withdraw_is_said(kd: SimpleNamespace, app: KioskApp,
                                           runtime: Runtime) -> None:
    none_in_force(runtime, "fatima")
    before = research_consents(runtime, "fatima")
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "fatima", "You have not given any consents.")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: bool(kd.view(app).query("#empty")), "the empty list")
        assert kd.shows(app, "You have no consents that this kiosk can withdraw.")
        await pilot.press("escape")
        await kd.at_step(pilot, "choice")
        await pilot.press("3")
        assert "not changed anything" in await finish(kd, pilot)
    assert research_consents(runtime, "fatima") == before


async def choose_to_withdraw(kd: SimpleNamespace, pilot: Any, runtime: Runtime) -> str:
    """fatima with one research consent in force: withdraw it up to the confirm step."""
    assert runtime.demo is not None
    none_in_force(runtime, "fatima")
    (record,) = [c for c in runtime.demo.resources("Consent") if c["id"] == "fatima-research"]
    runtime.demo.put({**record, "status": "active"})
    await start(kd, pilot, "fatima", "Take part in medical research")
    await pilot.press("2")
    await kd.at_step(pilot, "slot")
    await pilot.press("1")
    await kd.at_step(pilot, "confirm")
    return str(record["id"])


async def test_a_consent_withdrawn_meanwhile_is_told(kd: SimpleNamespace, app: KioskApp,
                                                    runtime: Runtime) -> None:
    assert runtime.demo is not None
    async with app.run_test(size=kd.SIZE) as pilot:
        consent_id = await choose_to_withdraw(kd, pilot, runtime)
        none_in_force(runtime, "fatima")  # e.g. on the health portal, while at the kiosk
        await pilot.press("y")
        message = app.l10n.gettext(NOT_IN_FORCE)
        await kd.wait_until(pilot, lambda: kd.step_kind(app) == "confirm"
                            and kd.shows(app, message), "the refusal on the question")
        assert message in kd.view(app).speech_text()
    assert research_consents(runtime, "fatima") == {consent_id: "inactive"}
    assert runtime.outbox.items() == []


async def test_a_withdrawal_that_cannot_be_sent_is_told_and_not_kept(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        consent_id = await choose_to_withdraw(kd, pilot, runtime)
        kd.fhir_http(runtime).base_url = closed_port_url()
        await pilot.press("y")
        message = app.l10n.gettext(ServiceUnavailable.msgid)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "ErrorScreen"
                            and kd.shows(app, message), "the error drawn")
    assert research_consents(runtime, "fatima") == {consent_id: "active"}
    assert runtime.outbox.items() == []
