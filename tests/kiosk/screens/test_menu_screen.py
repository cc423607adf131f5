"""The menu pages its tiles so every task stays on a number key, in both text sizes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.screens.menu import LARGE_PAGE, PAGE


def many_guides(runtime: Runtime, count: int) -> list[str]:
    appointment = next(g for g in runtime.guides if g.id == "appointment")
    runtime.guides = [replace(appointment, id=f"task{n}", order=n) for n in range(count)]
    return [g.id for g in runtime.guides]


async def test_every_task_is_reached_by_number_keys_across_pages(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    ids = many_guides(runtime, PAGE * 2 + 1)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, ids[-1])
        assert kd.view(app).runner.guide.id == ids[-1]


async def test_menu_pages_follow_the_text_size(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    ids = many_guides(runtime, PAGE * 2)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        menu = kd.view(app)
        assert [t.value for t in menu.query("BigButton") if t.value] == ids[:PAGE]
        await pilot.press(str(PAGE + 1))  # More tasks
        await pilot.pause()
        assert menu.query_one("#guide-" + ids[PAGE])
        await pilot.press("f3")
        await pilot.pause()
        shown = [t.value for t in menu.query("BigButton") if t.value]
        assert shown == ids[PAGE:PAGE + LARGE_PAGE]
        assert all(t.number is not None and t.number <= 9 for t in menu.query("BigButton"))


@pytest.mark.timeout(60)  # a frozen kiosk does not stop on its own; fail soon, not at 300 s
async def test_the_bigger_text_button_redraws_the_menu_and_the_kiosk_still_answers(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    # The button runs the app's action inside its own message loop; the menu's redraw removes
    # that button. Awaited there, the kiosk froze for good: no key, tap or timeout reached it.
    ids = many_guides(runtime, PAGE * 2)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        menu = kd.view(app)
        old_tile = menu.query("BigButton").first()
        await asyncio.wait_for(pilot.click("#help-bigger"), timeout=30)
        await kd.wait_until(pilot, lambda: not old_tile.is_attached, "the menu redrawn")
        assert app.has_class("large-text")
        assert [t.value for t in menu.query("BigButton") if t.value] == ids[:LARGE_PAGE]
        await asyncio.wait_for(pilot.press("f10"), timeout=30)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the welcome")
