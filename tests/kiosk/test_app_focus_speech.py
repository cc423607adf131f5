"""Moving focus with the arrow keys says the control's name, role, state and place, as a
screen reader would (EN 301 549 5.1.3.3); a new view is said by its own speech instead."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime


async def test_arrow_keys_say_name_role_state_and_position(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        await kd.settle(pilot)
        chain = app.screen.focus_chain
        assert app.screen.focused is chain[0]
        await pilot.press("down")
        second = chain[1]
        assert runtime.voice.last_text == f"{second.text}, button, 2 of {len(chain)}"
        bigger = app.screen.query_one("#help-bigger")
        while app.screen.focused is not bigger:
            await pilot.press("down")
        assert runtime.voice.last_text.startswith("Bigger text F3, button, off, ")
        await pilot.press("enter")
        await kd.settle(pilot)
        app.screen.set_focus(app.screen.query_one("#help-contrast"))
        await pilot.press("up")
        assert runtime.voice.last_text.startswith("Bigger text F3, button, on, ")


async def test_explore_mode_says_a_button_before_pressing_it(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        await pilot.press("f11")
        assert runtime.voice.last_text is not None
        assert runtime.voice.last_text.startswith("Explore mode is on")
        await pilot.press("2")
        await kd.settle(pilot)
        assert kd.screen_name(app) == "MenuView"  # said, not pressed
        assert runtime.voice.last_text == ("2 My medicines. Press the same key again to "
                                           "choose it.")
        await pilot.press("3")
        await kd.settle(pilot)
        assert kd.screen_name(app) == "MenuView"  # another key: that one is said instead
        await pilot.press("3")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) != "MenuView", "the task")
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the end")
        assert not runtime.session.prefs.explore  # the next citizen starts without it


async def test_a_key_pressed_again_at_once_counts_once(
    kd: SimpleNamespace, make_runtime: Any, clock: ManualClock
) -> None:
    runtime = make_runtime(repeated_press_s=1.0)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        chain = app.screen.focus_chain
        await pilot.press("down", "down")  # a tremor: the second press within the second
        assert app.screen.focused is chain[1]
        clock.advance(1.5)
        await pilot.press("down")
        assert app.screen.focused is chain[2]
