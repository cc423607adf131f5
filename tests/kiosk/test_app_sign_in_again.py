"""The sign-in runs out in the middle of a task: the citizen is told so, signs in again on their
phone and goes on where they were, with every answer kept; someone else signing in instead starts
the guide afresh and sees nothing of the first person's answers. Real demo service, whose tokens
expire on the test clock."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime

TOKEN_LIFETIME_S = 900  # the demo service's default


async def at_booking_confirmation(kd: SimpleNamespace, pilot: Any) -> None:
    """Book (key 1), sign in as Kari, then take the first offer on every question until the
    "is that right?" step."""
    await kd.open_guide(pilot)
    await pilot.press("1")
    await kd.approve_by_phone(pilot, "kari")
    for _ in range(6):
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StepView"
                            and not kd.view(pilot.app).query("#working"), "a question")
        if kd.step_kind(pilot.app) == "confirm":
            return
        await pilot.press("1")
        await pilot.pause()
    raise AssertionError("the booking guide never asked for confirmation")


async def sign_in_has_run_out(kd: SimpleNamespace, pilot: Any, clock: ManualClock) -> None:
    """The token expires while the citizen reads; their "yes" meets the expired sign-in."""
    clock.advance(TOKEN_LIFETIME_S + 1)
    await pilot.press("y")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "ErrorScreen",
                        "the error screen")
    assert kd.shows(pilot.app, "You are no longer signed in. Please sign in again.")
    assert kd.shows(pilot.app, "Sign in again")
    await pilot.press("1")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "SignInView",
                        "the sign-in screen")
    assert kd.shows(pilot.app, "Your answers are kept.")


@pytest.fixture
def runtime(make_runtime: Any) -> Runtime:
    """A runtime whose visit outlasts the sign-in, so the token runs out first."""
    return make_runtime(idle_timeout_s=3 * TOKEN_LIFETIME_S)


def booked_for(runtime: Runtime, patient: str) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [a for a in runtime.demo.appointments() if a["status"] == "booked"
            and a["participant"][0]["actor"]["reference"] == f"Patient/{patient}"]


async def test_the_same_citizen_signs_in_again_and_the_booking_goes_through(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    before = len(booked_for(runtime, "kari"))
    async with app.run_test(size=kd.SIZE) as pilot:
        await at_booking_confirmation(kd, pilot)
        chosen_slot = runtime.session.answers["slot"]
        await sign_in_has_run_out(kd, pilot, clock)
        await kd.approve_by_phone(pilot, "kari")
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView",
                            "the booking's finish screen")
        assert "booked" in str(kd.view(pilot.app).text)
    booked = booked_for(runtime, "kari")
    assert len(booked) == before + 1
    assert [a for a in booked if a["slot"][0]["reference"] == f"Slot/{chosen_slot}"]


async def test_someone_else_signing_in_starts_afresh_and_sees_no_earlier_answer(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await at_booking_confirmation(kd, pilot)
        first_question = kd.view(pilot.app).runner.guide.start
        await sign_in_has_run_out(kd, pilot, clock)
        await kd.approve_by_phone(pilot, "ola")
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StepView"
                            and kd.view(pilot.app).runner.step.id == first_question,
                            "the guide's first question")
        session = runtime.session
        assert session.person is not None and session.person.patient_id == "ola"
        assert session.answers == {} and session.labels == {}
        assert kd.view(pilot.app).drafts == {}
    assert booked_for(runtime, "ola") == []


async def test_not_signing_in_again_leaves_the_task_signed_out(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await at_booking_confirmation(kd, pilot)
        await sign_in_has_run_out(kd, pilot, clock)
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "MenuView", "the menu")
        assert runtime.session.person is None
        await pilot.press("1")
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "SignInView",
                            "a fresh sign-in for the next task")
