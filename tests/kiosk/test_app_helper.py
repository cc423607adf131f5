"""Helper mode from the staff help dialog: a wrong PIN does nothing, the right one shows the
banner with the staff name on every screen, Lock ends it; all of it audited, no PIN spoken."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.screens.staff_help import StaffHelpScreen
from kiosk.widgets.helper_banner import HelperBanner


async def test_wrong_pin_does_not_unlock(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*"000000", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StaffHelpScreen)
        assert runtime.helper.active_staff is None
        assert kd.view(app).query_one("#pin").value == ""
        assert app.l10n.gettext("That PIN is not right. Try again.") in kd.view(app).speech_text()
        assert "000000" not in (runtime.voice.last_text or "")


async def test_right_pin_shows_the_banner_and_lock_ends_it(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*kd.STAFF_PIN, "enter")
        await kd.wait_until(
            pilot, lambda: kd.screen_name(app) == "IdleView", "the dialog closing"
        )
        banner = app.screen.query_one(HelperBanner)
        assert banner.display
        assert kd.STAFF_NAME in str(app.screen.query_one("#helper-text").content)
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        assert app.screen.query_one(HelperBanner).display
        await pilot.click("#helper-lock")
        await pilot.pause()
        assert runtime.helper.active_staff is None
        assert not app.screen.query_one(HelperBanner).display
        assert kd.STAFF_PIN not in (runtime.voice.last_text or "")
    audit = runtime.settings.audit_file.read_text(encoding="utf-8")
    assert "helper_on" in audit and "helper_off" in audit
    assert kd.STAFF_PIN not in audit


async def test_end_of_session_locks_helper_mode(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*kd.STAFF_PIN, "enter")
        await pilot.pause()
        assert runtime.helper.active_staff == kd.STAFF_NAME
        await pilot.press("enter")
        await pilot.press("f10")
        await kd.wait_until(
            pilot,
            lambda: kd.screen_name(app) == "IdleView" and runtime.helper.active_staff is None,
            "helper mode locked",
        )
