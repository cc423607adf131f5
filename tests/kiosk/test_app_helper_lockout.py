"""Helper mode's guards through the real app: wrong PINs lock the PIN dialog out for a time that
is shown and spoken, grows with each lock-out and survives a restart of the kiosk (a new
runtime on the same state directory); a badge code unlocks like a PIN; helper mode locks
itself after the quiet period and at the end of the visit, and the banner and panel go."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from helper_mode.staff import LOCKOUT_S, MAX_FAILURES, StaffRegistry
from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from kiosk.widgets.helper_banner import HelperBanner
from kiosk.widgets.helper_panel import HelperPanel

WRONG = "917364"


async def open_pin_dialog(kd: SimpleNamespace, pilot: Any) -> None:
    await pilot.press("f1")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StaffHelpScreen", "PIN")


async def try_pin(pilot: Any, pin: str) -> None:
    await pilot.press(*pin, "enter")
    await pilot.pause()


def locked_out_text(app: KioskApp, seconds: int) -> str:
    return app.l10n.nformat("Too many wrong PINs. Try again in {count} second.",
                            "Too many wrong PINs. Try again in {count} seconds.", seconds)


async def test_wrong_pins_lock_out_shown_and_spoken_growing_and_after_a_restart(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime], clock: ManualClock
) -> None:
    runtime = make_runtime()
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_pin_dialog(kd, pilot)
        for _ in range(MAX_FAILURES):
            await try_pin(pilot, WRONG)
        await try_pin(pilot, kd.STAFF_PIN)  # even the right PIN waits now
        said = locked_out_text(app, int(LOCKOUT_S))
        assert runtime.helper.active_staff is None
        assert kd.shows(app, said)
        assert said in (runtime.voice.last_text or "")
        assert kd.STAFF_PIN not in (runtime.voice.last_text or "")

    # The kiosk restarts (a crash, a power cut): the lock-out is still there, time counting.
    clock.advance(60)
    restarted = make_runtime()
    app = KioskApp(restarted)
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_pin_dialog(kd, pilot)
        await try_pin(pilot, kd.STAFF_PIN)
        said = locked_out_text(app, int(LOCKOUT_S) - 60)
        assert restarted.helper.active_staff is None
        assert kd.shows(app, said)
        assert said in (restarted.voice.last_text or "")
        # The time over, one more wrong PIN locks out twice as long.
        clock.advance(LOCKOUT_S)
        await try_pin(pilot, WRONG)
        await try_pin(pilot, kd.STAFF_PIN)
        said = locked_out_text(app, int(2 * LOCKOUT_S))
        assert kd.shows(app, said)
        assert said in (restarted.voice.last_text or "")
        assert restarted.helper.active_staff is None
    audit = restarted.settings.audit_file.read_text(encoding="utf-8")
    assert audit.count("unlock_failed") == MAX_FAILURES + 4
    assert "helper_on" not in audit


async def test_a_badge_scanned_into_the_dialog_unlocks(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime], clock: ManualClock
) -> None:
    runtime = make_runtime()
    StaffRegistry(runtime.settings.staff_file, clock).add("Berit Badge", "HLS-0042-7731",
                                                          badge=True)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_pin_dialog(kd, pilot)
        # A badge scanner types like a keyboard and ends with Enter.
        await pilot.press(*"HLS", "minus", *"0042", "minus", *"7731", "enter")
        await kd.wait_until(pilot, lambda: runtime.helper.active_staff == "Berit Badge",
                            "unlocked by the badge")
        assert "HLS-0042-7731" not in (runtime.voice.last_text or "")


async def unlock(kd: SimpleNamespace, pilot: Any) -> None:
    await open_pin_dialog(kd, pilot)
    await try_pin(pilot, kd.STAFF_PIN)
    await kd.wait_until(pilot, lambda: pilot.app.screen is pilot.app.frame
                        and pilot.app.frame.query_one(HelperPanel).display, "helper mode on")


def helper_shown(app: KioskApp) -> bool:
    return app.frame.query_one(HelperBanner).display or app.frame.query_one(HelperPanel).display


async def test_helper_mode_locks_itself_after_the_quiet_period(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime], clock: ManualClock
) -> None:
    # The visit's own time limit is longer here, so that only the quiet period can end it.
    runtime = make_runtime(idle_timeout_s=900, helper_quiet_s=120)
    app = KioskApp(runtime)
    quiet = runtime.settings.helper_quiet_s
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        await unlock(kd, pilot)
        clock.advance(quiet - 1)
        app.check_time_limit()
        assert runtime.helper.active_staff == kd.STAFF_NAME
        await pilot.press("down")  # someone is still there: the quiet period starts again
        clock.advance(quiet - 1)
        app.check_time_limit()
        assert runtime.helper.active_staff == kd.STAFF_NAME
        clock.advance(1)
        app.check_time_limit()
        assert runtime.helper.active_staff is None
        await kd.wait_until(pilot, lambda: not helper_shown(app), "the banner and panel gone")
        assert kd.screen_name(app) == "MenuView", "the citizen's screen stays"
    audit = runtime.settings.audit_file.read_text(encoding="utf-8")
    assert audit.count("helper_off") == 1


async def test_helper_mode_locks_when_the_visit_ends(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        await unlock(kd, pilot)
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView"
                            and runtime.helper.active_staff is None, "the visit ended")
        await pilot.pause()
        assert not helper_shown(app)
