"""The proxy guides through the real app and demo backend, by keys only: Kari makes Ola her
proxy for one year (read back as a RelatedPerson); a refusal is shown and spoken with the
policy's reason and registers nothing; Kari opens her son's record and every screen names him
until the session ends."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.policy.access import policy_for
from kiosk.policy.reasons import REASONS
from kiosk.runtime import Runtime
from kiosk.services.demo.access import family_acts_for
from kiosk.services.demo.dates import OSLO


def proxies_of(runtime: Runtime, patient: str) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [p for p in runtime.demo.resources("RelatedPerson")
            if p["patient"]["reference"] == f"Patient/{patient}"
            and any(c["code"] == "HPOWATT" for r in p["relationship"] for c in r["coding"])]


async def open_proxy_guide(kd: SimpleNamespace, pilot: Any, guide: str = "proxy") -> None:
    """kd.open_task by keys, but the guide opens on its sign-in screen, not a StepScreen."""
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "LanguageScreen", "languages")
    await pilot.press("2")
    for _ in range(10):
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "MenuScreen", "the menu")
        await pilot.pause()
        tile = pilot.app.screen.query(f"#guide-{guide}")
        if tile:
            await pilot.press(str(tile.first().number))
            return
        await pilot.press(str(pilot.app.screen.query_one("#page-next").number))
    raise AssertionError(f"the menu never showed the guide {guide!r}")


async def answer_up_to_confirm(kd: SimpleNamespace, pilot: Any, name: str, born: str) -> None:
    await open_proxy_guide(kd, pilot)
    await kd.approve_by_phone(pilot, "kari")
    await kd.at_step(pilot, "text")
    await pilot.press(*("space" if c == " " else c for c in name))
    await pilot.press("enter")
    await kd.at_step(pilot, "number")
    await pilot.press(*born, "enter")
    await kd.at_step(pilot, "choice")
    await pilot.press("1")
    await kd.at_step(pilot, "confirm")


async def test_kari_makes_ola_her_proxy_for_one_year_by_keys_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await answer_up_to_confirm(kd, pilot, "Ola Nordmann", "1985")
        assert kd.shows(app, "Ola Nordmann may use all your health services for you")
        await pilot.press("y")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishScreen", "finish")
        assert "Ola Nordmann is now your proxy" in str(app.screen.text)
    [proxy] = proxies_of(runtime, "kari")
    assert proxy["name"] == [{"text": "Ola Nordmann"}]
    assert proxy["active"] is True
    assert proxy["period"]["start"] < proxy["period"]["end"]


async def refused(kd: SimpleNamespace, app: KioskApp, runtime: Runtime, born: str,
                  reason: str) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await answer_up_to_confirm(kd, pilot, "Emil Nordmann", born)
        await pilot.press("y")
        message = app.l10n.gettext(REASONS[reason])
        await kd.wait_until(pilot, lambda: app.screen.runner.step.id == "refused"
                            and kd.shows(app, message), "the refusal drawn")
        assert message in app.screen.speech_text().splitlines()
        await kd.wait_until(pilot, lambda: runtime.voice.last_text == app.screen.speech_text(),
                            "the refusal spoken")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishScreen", "finish")
        assert "No proxy was given." in str(app.screen.text)
    assert proxies_of(runtime, "kari") == []


async def test_a_relative_under_18_is_refused_with_the_reason(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    await refused(kd, app, runtime, "2013", "proxy_under_18")


async def test_sweden_refuses_every_adult_proxy(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime]
) -> None:
    runtime = make_runtime(country="SE")
    await refused(kd, KioskApp(runtime), runtime, "1985", "no_adult_proxy_sweden")


async def test_kari_opens_her_sons_record_and_every_screen_names_him(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    # What the runtime does with settings.country (the lead wires it): the policy decides.
    runtime.demo.access.acts_for = family_acts_for(
        policy_for("NO"), lambda: runtime.demo.clock.now().astimezone(OSLO).date())
    banner = "You are using the health record of: Emil Nordmann"
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_proxy_guide(kd, pilot, "acting_for")
        await kd.approve_by_phone(pilot, "kari")
        await kd.at_step(pilot, "slot")
        assert not kd.shows(app, banner)
        await pilot.press("2")
        await kd.at_step(pilot, "list")
        await kd.wait_until(pilot, lambda: kd.shows(app, banner), "the banner on the list")
        assert kd.shows(app, "Emil Nordmann has no appointments booked.")
        assert runtime.session.acting_for is not None
        assert runtime.session.acting_for.patient_id == "emil"
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishScreen", "finish")
        await kd.wait_until(pilot, lambda: kd.shows(app, banner), "the banner on the finish")
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleScreen", "idle")
        assert runtime.session.acting_for is None
        assert not kd.shows(app, banner)
