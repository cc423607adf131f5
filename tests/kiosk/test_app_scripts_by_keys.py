"""Whole tasks by keys only in the scripts furthest from the kiosk's own: a booking in Arabic
(right to left, shaped) and a blood pressure in Tigrinya (Ge'ez), through the real app, demo
service and phone sign-in, read back from the service; and a switch of language in the middle
of a task, which keeps the answers given and says the question again in the new language."""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace
from typing import Any

from kiosk.app import KioskApp
from kiosk.runtime import Runtime


def in_script(text: str, script: str) -> bool:
    """Whether text holds letters of the script (by their Unicode names, e.g. "ETHIOPIC")."""
    return any(unicodedata.name(c, "").startswith(script) for c in text if c.isalpha())


async def finish(kd: SimpleNamespace, pilot: Any) -> str:
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "the finish")
    return str(kd.view(pilot.app).speech_text())


async def test_an_appointment_booked_in_arabic_by_keys(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    before = {a["id"] for a in runtime.demo.appointments()}
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "appointment", language="ar")
        assert "rtl" in app.screen.classes
        await pilot.press("1")  # a new appointment
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # at the GP office
        await kd.at_step(pilot, "slot")
        chosen = kd.view(app).options[0].id
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        await pilot.press("1")  # yes
        said = await finish(kd, pilot)
        assert in_script(said, "ARABIC")
    (booked,) = [a for a in runtime.demo.appointments() if a["id"] not in before]
    assert booked["status"] == "booked"
    assert booked["participant"][0]["actor"]["reference"] == "Patient/kari"
    assert booked["slot"][0]["reference"] == f"Slot/{chosen}"


async def test_a_blood_pressure_reported_in_tigrinya_by_keys(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    before = {o["id"] for o in runtime.demo.resources("Observation")}
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "measurements", language="ti")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        assert in_script(kd.view(app).speech_text(), "ETHIOPIC")
        await pilot.press("1")  # blood pressure
        for step, value in (("systolic", "135"), ("diastolic", "85")):
            await kd.at_step(pilot, "number")
            assert kd.view(app).runner.step.id == step
            await pilot.press(*value, "enter")
            await kd.wait_until(pilot, lambda s=step: kd.view(app).runner.step.id != s,
                                f"the {step} number taken")
        await kd.at_step(pilot, "confirm")
        await pilot.press("1")  # yes
        said = await finish(kd, pilot)
        assert in_script(said, "ETHIOPIC")
    (stored,) = [o for o in runtime.demo.resources("Observation")
                 if o["subject"]["reference"] == "Patient/kari" and o["id"] not in before]
    assert [c["valueQuantity"]["value"] for c in stored["component"]] == [135, 85]


async def test_a_language_switch_mid_task_keeps_the_answers_and_speaks_again(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    assert runtime.demo is not None
    before = {o["id"] for o in runtime.demo.resources("Observation")}
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "measurements", language="uk")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # blood pressure
        await kd.at_step(pilot, "number")
        await pilot.press(*"135", "enter")
        await kd.wait_until(pilot, lambda: kd.view(app).runner.step.id == "diastolic",
                            "the lower number")
        # The helper panel's Language action (a staff member helping): the task waits.
        app.action_change_language()
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await kd.choose_language(pilot, "ar")
        await kd.at_step(pilot, "number")
        assert kd.view(app).runner.step.id == "diastolic"
        assert app.l10n.lang == "ar" and "rtl" in app.screen.classes
        await kd.wait_until(pilot, lambda: runtime.voice.last_text
                            == kd.view(app).speech_text(), "the question said again")
        assert in_script(runtime.voice.last_text or "", "ARABIC")
        await pilot.press(*"85", "enter")
        await kd.at_step(pilot, "confirm")
        await pilot.press("1")  # yes
        await finish(kd, pilot)
    (stored,) = [o for o in runtime.demo.resources("Observation")
                 if o["subject"]["reference"] == "Patient/kari" and o["id"] not in before]
    assert [c["valueQuantity"]["value"] for c in stored["component"]] == [135, 85]
