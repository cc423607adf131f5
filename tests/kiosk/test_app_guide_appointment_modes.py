"""How to meet the doctor, through the real app and demo backend, by keys only: Ola books a video
appointment (read back from the service with its serviceType), moves it to another video time,
and a phone booking in Norwegian says "telefontime" in its own words."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.services.appointments import PARTICIPATION_MODE, mode_of

NB = "1"  # the language screen's key for Norwegian bokmål; 2 is English


def booked_for(runtime: Runtime, patient: str) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [a for a in runtime.demo.appointments() if a["status"] == "booked"
            and a["participant"][0]["actor"]["reference"] == f"Patient/{patient}"]


def slot_modes(runtime: Runtime, slot_ids: list[str]) -> set[str | None]:
    assert runtime.demo is not None
    return {mode_of(s) for s in runtime.demo.slots() if s["id"] in slot_ids}


async def start_task(kd: SimpleNamespace, pilot: Any, task_key: str, patient: str,
                     language_key: str = "2") -> None:
    """Start, a language, the appointment guide, one of its tasks, and sign in by phone."""
    await kd.open_guide(pilot, language_key)
    await pilot.press(task_key)
    await kd.approve_by_phone(pilot, patient)


async def finish_and_leave(kd: SimpleNamespace, pilot: Any) -> str:
    """Wait for the finish screen, keep its words, press Done and wait for the idle screen."""
    app = pilot.app
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "FinishView", "the finish")
    words = kd.view(app).speech_text()
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle screen")
    return str(words)


async def book_video(kd: SimpleNamespace, pilot: Any, app: KioskApp, runtime: Runtime) -> str:
    """Ola books the first free video time; returns the finish screen's words."""
    await start_task(kd, pilot, "1", "ola")
    await kd.at_step(pilot, "choice")
    assert kd.view(app).runner.step.id == "book_mode"
    for words in ("How do you want to meet the doctor?", "At the GP office", "By video",
                  "By phone"):
        assert kd.shows(app, words)
    await pilot.press("2")
    await kd.at_step(pilot, "slot")
    offered = [o.id for o in kd.view(app).options]
    assert offered and slot_modes(runtime, offered) == {"video"}
    first = kd.view(app).query_one("#option-1").text
    await pilot.press("1")
    await kd.at_step(pilot, "confirm")
    assert kd.shows(app, f"You are booking a video appointment on {first}. Is that right?")
    await pilot.press("y")
    return await finish_and_leave(kd, pilot)


async def test_ola_books_a_video_appointment_by_keys_only(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        said = await book_video(kd, pilot, app, runtime)
    assert "Your video appointment is booked for" in said
    assert "sends you a link before the appointment" in said
    (booked,) = booked_for(runtime, "ola")
    (coding,) = booked["serviceType"][0]["coding"]
    assert (coding["system"], coding["code"]) == (PARTICIPATION_MODE, "VIDEOCONF")
    slot_id = booked["slot"][0]["reference"].removeprefix("Slot/")
    assert slot_modes(runtime, [slot_id]) == {"video"}


async def test_moving_a_video_appointment_offers_and_keeps_video(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await book_video(kd, pilot, app, runtime)
        (before,) = booked_for(runtime, "ola")

        await start_task(kd, pilot, "2", "ola")
        await kd.at_step(pilot, "slot")
        assert [o.id for o in kd.view(app).options] == [before["id"]]
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "move_slot",
                            "free times to move to")
        await kd.at_step(pilot, "slot")
        offered = [o.id for o in kd.view(app).options]
        assert len(offered) > 1 and slot_modes(runtime, offered) == {"video"}
        await pilot.press("2")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        said = await finish_and_leave(kd, pilot)
    assert "Your appointment is moved to" in said
    (after,) = booked_for(runtime, "ola")
    assert after["id"] == before["id"]
    assert after["slot"] == [{"reference": f"Slot/{offered[1]}"}]
    assert after["serviceType"] == before["serviceType"]
    assert mode_of(after) == "video"


async def test_a_phone_booking_is_said_in_norwegian(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await start_task(kd, pilot, "1", "fatima", NB)
        await kd.at_step(pilot, "choice")
        assert kd.shows(app, "Hvordan vil du møte legen?")
        await pilot.press("3")
        await kd.at_step(pilot, "slot")
        assert slot_modes(runtime, [o.id for o in kd.view(app).options]) == {"phone"}
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        assert "Du bestiller telefontime" in kd.view(app).speech_text()
        await pilot.press("y")
        said = await finish_and_leave(kd, pilot)
    assert "Telefontimen din er bestilt til" in said
    assert "Legen ringer telefonnummeret" in said
    (booked,) = booked_for(runtime, "fatima")
    assert mode_of(booked) == "phone"
