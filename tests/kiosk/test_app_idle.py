"""The idle time limit in the real app, driven by a ManualClock: notice, warning, extensions,
expiry (WCAG 2.2.1 and 2.2.6)."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from kiosk.screens.idle import idle_notice
from kiosk.screens.timeout_warning import TimeoutWarningScreen


async def test_idle_and_menu_screens_say_how_long_a_pause_may_last(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.pause()
        notice = kd.view(app).query_one("#idle-notice").spoken
        assert notice == idle_notice(app.l10n, runtime.settings.idle_timeout_s)
        assert "2" in notice
        assert notice in kd.view(app).speech_text()
        await pilot.press("enter", "2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        assert "If you do nothing for 2 minutes" in kd.view(app).speech_text()


async def test_no_time_limit_on_the_idle_screen(
    kd: SimpleNamespace, app: KioskApp, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        clock.advance(10_000)
        app.check_time_limit()
        await pilot.pause()
        assert kd.screen_name(app) == "IdleView"


async def test_warning_extensions_then_expiry_wipes_and_returns_to_idle(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    settings = runtime.settings
    quiet = settings.idle_timeout_s - settings.idle_warning_s
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: runtime.session.person is not None, "signed in")

        clock.advance(quiet - 1)
        app.check_time_limit()
        await pilot.pause()
        assert not isinstance(app.screen, TimeoutWarningScreen)

        for used in range(settings.max_extensions):
            clock.advance(1 if used == 0 else quiet)
            app.check_time_limit()
            await pilot.pause()
            assert isinstance(app.screen, TimeoutWarningScreen), f"no warning at round {used}"
            text = kd.view(app).speech_text()
            assert f"{settings.idle_warning_s} seconds" in text
            assert "more time" in text
            await pilot.press("space")
            await pilot.pause()
            assert not isinstance(app.screen, TimeoutWarningScreen)
        assert app.idle.extensions_used == settings.max_extensions

        clock.advance(quiet)
        app.check_time_limit()
        await pilot.pause()
        assert isinstance(app.screen, TimeoutWarningScreen)
        assert "You cannot get more time" in kd.view(app).speech_text()
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, TimeoutWarningScreen), "an extension beyond the limit"

        clock.advance(10)
        app.check_time_limit()
        await pilot.pause()
        assert "20 seconds" in kd.view(app).query_one("#countdown").spoken

        clock.advance(settings.idle_warning_s)
        app.check_time_limit()
        await kd.wait_until(
            pilot,
            lambda: kd.screen_name(app) == "IdleView" and app.flow.depth == 1,
            "the idle screen after the timeout",
        )
        assert runtime.session.person is None
        assert not runtime.session.active
        assert runtime.session.answers == {}
        assert app.idle.extensions_used == 0


async def test_the_interval_timer_checks_the_clock(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        clock.advance(runtime.settings.idle_timeout_s - runtime.settings.idle_warning_s)
        await kd.wait_until(
            pilot,
            lambda: isinstance(app.screen, TimeoutWarningScreen),
            "the warning from the 1 s timer",
        )


async def test_any_letter_key_starts_a_session_but_function_keys_keep_their_meaning(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.pause()
        hint = app.l10n.gettext("Touch the screen or press any key to start.")
        assert hint in kd.view(app).speech_text()
        await pilot.press("f3")
        await pilot.pause()
        assert kd.screen_name(app) == "IdleView"
        await pilot.press("x")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")


async def test_a_touch_anywhere_on_the_idle_screen_starts_a_session(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#idle-title")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
