"""A visit has one end: going Back past the first screen of a visit signs out, revokes the token
and wipes, exactly like End; the next person who starts sees nothing of the last and must sign
in themselves. Tried from every kind of screen a citizen can press Back on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.screens.idle import IdleView

LEVOTHYROXINE = "Levothyroxine"



async def back_to_welcome(kd: SimpleNamespace, pilot: object, app: KioskApp) -> None:
    for _ in range(12):
        if isinstance(kd.view(app), IdleView) and app.flow.depth == 1:
            break
        await pilot.press("escape")  # type: ignore[attr-defined]
        await kd.settle(pilot)
    await kd.wait_until(pilot, lambda: isinstance(kd.view(app), IdleView)
                        and app.flow.depth == 1, "the Welcome screen")
    await app.workers.wait_for_complete()


async def test_back_to_welcome_ends_the_visit(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "medicines")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "list")
        assert kd.shows(app, LEVOTHYROXINE), "the first citizen should see their medicines"
        token = runtime.session.access_token
        assert token is not None and kd.token_works(runtime, token)

        await back_to_welcome(kd, pilot, app)
        assert not runtime.session.signed_in and not runtime.session.active
        assert not kd.token_works(runtime, token), "Back to Welcome must sign out at the service"

        # The next person in the queue: Start, a language, "My medicines".
        await kd.open_task(pilot, "medicines")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView",
                            "the sign-in screen for the next person")
        assert not kd.shows(app, LEVOTHYROXINE)


@pytest.mark.parametrize("depth", ["language", "menu", "step"])
async def test_back_from_any_depth_never_leaves_a_visit_open(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, depth: str
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        if depth != "language":
            await pilot.press("2")
            await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        if depth == "step":
            await kd.pick_task(pilot, "appointment")
        runtime.session.answers["canary"] = "left behind"
        await back_to_welcome(kd, pilot, app)
        assert not runtime.session.active
        assert runtime.session.answers == {}
