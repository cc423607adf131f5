"""The kiosk writes its audit lines where things happen, through the real app and audit log: a
visit's start and end (by End, by the idle timeout), helper mode inside it, and a consent given
through the guide; who and when only, nothing about the citizen."""

from __future__ import annotations

import json
from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from tests.kiosk.test_app_guide_consent import finish, none_in_force, start


def events(runtime: Runtime) -> list[tuple[str, str]]:
    return [(entry.staff, entry.event) for entry in runtime.audit.entries()]


async def test_a_visit_ended_by_the_citizen_is_recorded(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        assert events(runtime) == [("citizen", "visit_start")]
        clock.advance(90)
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
    assert events(runtime) == [("citizen", "visit_start"), ("citizen", "visit_end")]
    start_time, end_time = (entry.time for entry in runtime.audit.entries())
    assert (start_time, end_time) == ("2026-12-01T08:00:00Z", "2026-12-01T08:01:30Z")
    assert runtime.audit.verify().ok


async def test_a_timed_out_visit_and_helper_mode_in_it_are_recorded(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*kd.STAFF_PIN, "enter")
        await kd.wait_until(pilot, lambda: runtime.helper.active_staff is not None, "unlocked")
        clock.advance(runtime.settings.idle_timeout_s + 1)
        app.check_time_limit()
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
        clock.advance(10_000)  # no visit, no time limit: nothing more is recorded
        app.check_time_limit()
        await pilot.pause()
    assert events(runtime) == [("citizen", "visit_start"), ("citizen", "help_called"),
                               (kd.STAFF_NAME, "helper_on"), (kd.STAFF_NAME, "helper_off"),
                               ("citizen", "visit_end")]
    assert runtime.audit.verify().ok


async def test_a_consent_given_is_recorded_without_whose_or_which(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    none_in_force(runtime, "fatima")
    async with app.run_test(size=kd.SIZE) as pilot:
        await start(kd, pilot, "fatima", "You have not given any consents.")
        await pilot.press("1")
        await kd.at_step(pilot, "slot")
        await pilot.press("1")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        await finish(kd, pilot)
    assert events(runtime) == [("citizen", "visit_start"), ("citizen", "consent_given"),
                               ("citizen", "visit_end")]
    text = runtime.settings.audit_file.read_text(encoding="utf-8")
    assert "fatima" not in text.lower() and "research" not in text.lower()
    for line in text.splitlines():
        assert set(json.loads(line)) == {"time", "staff", "event", "prev", "hash"}
    assert runtime.audit.verify().ok
