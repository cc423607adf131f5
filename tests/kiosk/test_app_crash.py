"""No crash reaches the citizen: an unexpected error ends the visit (wipe, revoke), logs where
it happened without any value, leaves one calm line instead of a traceback, and exits non-zero
so systemd restarts the kiosk. Text selection, whose handler once crashed on a tap, is off."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.crash import RESTART_EXIT_CODE
from kiosk.runtime import Runtime

CANARY = "Kari Nordmann's secret answer"



async def test_an_unexpected_error_ends_the_visit_and_asks_for_a_restart(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    token = None

    def broken_handler() -> None:
        raise RuntimeError(CANARY)

    with pytest.raises(RuntimeError):
        async with app.run_test(size=kd.SIZE) as pilot:
            await kd.open_task(pilot, "medicines")
            await kd.approve_by_phone(pilot)
            await kd.at_step(pilot, "list")
            token = runtime.session.access_token
            runtime.session.answers["note"] = CANARY
            app.call_later(broken_handler)
            await pilot.pause()
    assert token is not None
    assert app.return_code == RESTART_EXIT_CODE
    assert not runtime.session.signed_in and runtime.session.answers == {}
    assert not kd.token_works(runtime, token), "a crash must sign out at the service too"
    printed = capfd.readouterr()
    left_on_terminal = printed.out + printed.err
    assert "The kiosk has a problem and starts again. Please wait a moment." in left_on_terminal
    assert "Traceback" not in left_on_terminal and CANARY not in left_on_terminal
    assert "RuntimeError at test_app_crash.py" in caplog.text
    assert CANARY not in caplog.text and "Kari" not in caplog.text


async def test_dragging_over_the_caption_selects_nothing(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_task(pilot, "appointment")
        app.screen.query_one("#caption").show("♪ Welcome, choose a task")
        await pilot.pause()
        await pilot.mouse_down("#caption", offset=(1, 0))
        await pilot.hover("#caption", offset=(12, 0))
        await pilot.mouse_up("#caption", offset=(12, 0))
        await pilot.pause()
        assert not app.screen.selections
        assert kd.screen_name(app) in ("StepView", "SignInView")
