"""The whole appointment guide through the real app, real demo backend and real sign-in:
by keys only, by mouse clicks only, and with the practice sign-in button."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from translations.catalog import Localizer


def kari_booked(runtime: Runtime) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return sorted(
        (
            a
            for a in runtime.demo.appointments()
            if a["status"] == "booked"
            and a["participant"][0]["actor"]["reference"] == "Patient/kari"
        ),
        key=lambda a: a["start"],
    )


async def finish_by_keys(kd: SimpleNamespace, pilot: Any,
                         picked: list[str] | None = None) -> str:
    """Answer confirm steps with y and pick the first option until the finish screen; the
    label of each time picked is added to picked."""
    for _ in range(12):
        await kd.wait_until(
            pilot,
            lambda: (
                kd.screen_name(pilot.app) == "FinishView"
                or (
                    kd.screen_name(pilot.app) == "StepView"
                    and not kd.view(pilot.app).query("#working")
                )
            ),
            "a question",
        )
        if kd.screen_name(pilot.app) == "FinishView":
            return str(kd.view(pilot.app).text)
        kind = kd.view(pilot.app).runner.step.kind
        if kind == "slot" and picked is not None:
            screen = kd.view(pilot.app)
            await kd.wait_until(pilot, lambda s=screen: bool(s.query("#option-1")), "the times")
            picked.append(str(screen.query_one("#option-1").text))
        await pilot.press("y" if kind == "confirm" else "1")
        await pilot.pause()
    raise AssertionError("the guide never finished")


def assert_booked_as_shown(runtime: Runtime, appointment: dict[str, Any], shown: str) -> None:
    """The server's Appointment is at the time the citizen picked, on that time's Slot."""
    assert runtime.demo is not None
    start = datetime.fromisoformat(appointment["start"])
    assert Localizer("en").when(start) == shown
    slot_id = appointment["slot"][0]["reference"].removeprefix("Slot/")
    slot = next(s for s in runtime.demo.resources("Slot") if s["id"] == slot_id)
    assert datetime.fromisoformat(slot["start"]) == start
    assert slot["status"] == "busy"


async def do_task(kd: SimpleNamespace, pilot: Any, choice_key: str,
                  picked: list[str] | None = None) -> str:
    await kd.open_guide(pilot)
    await pilot.press(choice_key)
    await kd.approve_by_phone(pilot)
    text = await finish_by_keys(kd, pilot, picked)
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "IdleView", "the idle screen")
    return text


async def test_book_move_and_cancel_by_keys_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = kari_booked(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        picked: list[str] = []
        booked_text = await do_task(kd, pilot, "1", picked)
        after_booking = kari_booked(runtime)
        assert len(after_booking) == len(before) + 1
        new = next(a for a in after_booking if a["id"] not in {b["id"] for b in before})
        assert "booked" in booked_text.lower()
        assert_booked_as_shown(runtime, new, picked[-1])

        await do_task(kd, pilot, "2", picked)
        after_move = kari_booked(runtime)
        assert len(after_move) == len(after_booking)
        assert [a["start"] for a in after_move] != [a["start"] for a in after_booking]
        moved = next(a for a in after_move if a["start"] not in
                     {b["start"] for b in after_booking})
        assert_booked_as_shown(runtime, moved, picked[-1])

        await do_task(kd, pilot, "3")
        after_cancel = kari_booked(runtime)
        assert len(after_cancel) == len(after_move) - 1
    cancelled = [a for a in runtime.demo.appointments() if a["status"] == "cancelled"]
    assert len(cancelled) == 1


async def test_booking_by_mouse_clicks_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    before = kari_booked(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.click("#start")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await pilot.click("#lang-en")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        guide_tile = kd.view(app).query("BigButton").first()
        await pilot.click(f"#{guide_tile.id}")
        await kd.at_step(pilot, "choice")
        await pilot.click("#choice-book")
        await kd.wait_until(
            pilot,
            lambda: (
                kd.screen_name(app) == "SignInView"
                and bool(kd.view(app).query("#practice-approve"))
            ),
            "the practice button",
        )
        await pilot.click("#practice-approve")
        for _ in range(8):
            await kd.wait_until(
                pilot,
                lambda: (
                    kd.screen_name(app) == "FinishView"
                    or (kd.screen_name(app) == "StepView" and not kd.view(app).query("#working"))
                ),
                "a question",
            )
            if kd.screen_name(app) == "FinishView":
                break
            kind = kd.view(app).runner.step.kind
            target = {"confirm": "#confirm-yes", "choice": "#choice-office"}.get(kind, "#option-1")
            await pilot.click(target)
        assert kd.screen_name(app) == "FinishView"
        await pilot.click("#done")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle screen")
    assert len(kari_booked(runtime)) == len(before) + 1


async def test_back_returns_to_the_previous_question(kd: SimpleNamespace, app: KioskApp) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(
            pilot,
            lambda: (
                kd.screen_name(app) == "StepView"
                and kd.view(app).runner.step.id not in ("what", "signin_book")
                and not kd.view(app).query("#working")
            ),
            "the first question after sign-in",
        )
        first = kd.view(app).runner.step.id
        await pilot.press("1" if kd.view(app).runner.step.kind != "confirm" else "y")
        await kd.wait_until(
            pilot, lambda: kd.view(app).runner.step.id != first, "the next question"
        )
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == first, "going back")
