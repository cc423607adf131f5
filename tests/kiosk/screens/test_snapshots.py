"""SVG snapshots of every kiosk screen in both themes (and the large-text layout at 80×24).

Deterministic: ManualClock on a fixed date, seeded demo backend, speech off, the voice's caption
events drained before the picture is taken. Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.screens.staff_help import HELP_ON_THE_WAY
from kiosk.services.http import ServiceUnavailable

FIXED_ADDRESS = "http://127.0.0.1:8000/device"
Route = Callable[[SimpleNamespace, Any], Awaitable[None]]


async def quiet(pilot: Any) -> None:
    """Let the voice worker report "done" so the caption line is empty and stable."""
    app = pilot.app
    await pilot.pause()
    app.runtime.voice.wait_idle(5)
    await pilot.pause()
    for field in app.screen.query("Input"):
        field.cursor_blink = False
    await pilot.pause()


async def to_idle(kd: SimpleNamespace, pilot: Any) -> None:
    await pilot.pause()


async def to_language(kd: SimpleNamespace, pilot: Any) -> None:
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "LanguageView", "lang")


async def to_menu(kd: SimpleNamespace, pilot: Any) -> None:
    await to_language(kd, pilot)
    await pilot.press("2")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "MenuView", "menu")


async def to_choice(kd: SimpleNamespace, pilot: Any) -> None:
    await kd.open_guide(pilot)


async def to_signin(kd: SimpleNamespace, pilot: Any) -> None:
    await kd.open_guide(pilot)
    await pilot.press("1")
    app = pilot.app
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "SignInView"
                        and kd.view(app).auth is not None, "the sign-in codes")
    # The demo listens on a free port; show a fixed address so the picture is repeatable.
    screen = kd.view(app)
    screen.auth = dataclasses.replace(
        screen.auth, verification_uri=FIXED_ADDRESS,
        verification_uri_complete=f"{FIXED_ADDRESS}?user_code={screen.auth.user_code}",
    )
    await screen.rerender()


async def to_slot(kd: SimpleNamespace, pilot: Any) -> None:
    await kd.open_guide(pilot)
    await pilot.press("1")
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")
    await pilot.press("1")  # at the GP office
    await kd.at_step(pilot, "slot")


async def to_confirm(kd: SimpleNamespace, pilot: Any) -> None:
    await to_slot(kd, pilot)
    await pilot.press("1")
    await kd.at_step(pilot, "confirm")


async def to_action(kd: SimpleNamespace, pilot: Any) -> None:
    await to_confirm(kd, pilot)
    # Hold the demo service's lock: the booking waits, so "Working…" stays on screen.
    pilot.app.runtime.demo._lock.acquire()
    await pilot.press("y")
    await kd.wait_until(pilot, lambda: kd.step_kind(pilot.app) == "action", "the action step")


async def to_finish(kd: SimpleNamespace, pilot: Any) -> None:
    await to_confirm(kd, pilot)
    await pilot.press("y")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "finish")


async def to_staff_help(kd: SimpleNamespace, pilot: Any) -> None:
    await to_menu(kd, pilot)
    await pilot.press("f1")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "StaffHelpScreen", "help")
    # Its words come after the chime: wait for them, so that the caption line is always the same.
    title = pilot.app.l10n.gettext(HELP_ON_THE_WAY)
    await kd.wait_until(pilot, lambda: (pilot.app.runtime.voice.last_text or "").startswith(title),
                        "the call spoken")


async def to_timeout_warning(kd: SimpleNamespace, pilot: Any) -> None:
    await to_menu(kd, pilot)
    app = pilot.app
    settings = app.runtime.settings
    app.runtime.clock.advance(settings.idle_timeout_s - settings.idle_warning_s)
    app.check_time_limit()
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "TimeoutWarningScreen", "warning")


async def to_error(kd: SimpleNamespace, pilot: Any) -> None:
    await to_menu(kd, pilot)
    pilot.app.show_error(pilot.app.l10n.gettext(ServiceUnavailable.msgid), lambda: None)
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "ErrorScreen", "error")


ROUTES: dict[str, Route] = {
    "idle": to_idle, "language": to_language, "menu": to_menu, "choice": to_choice,
    "signin": to_signin, "slot": to_slot, "confirm": to_confirm, "action": to_action,
    "finish": to_finish, "staff_help": to_staff_help, "timeout_warning": to_timeout_warning,
    "error": to_error,
}


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
@pytest.mark.parametrize("screen", list(ROUTES))
def test_screen_snapshot(snap_compare: Any, kd: SimpleNamespace, runtime: Runtime,
                         screen: str, theme: str) -> None:
    app = KioskApp(runtime)

    async def run_before(pilot: Any) -> None:
        if theme == "high-contrast":
            await pilot.press("f4")
        await ROUTES[screen](kd, pilot)
        await quiet(pilot)

    try:
        assert snap_compare(app, terminal_size=kd.SIZE, run_before=run_before)
    finally:
        if runtime.demo is not None and runtime.demo._lock.locked():
            runtime.demo._lock.release()


@pytest.mark.parametrize("screen", ["menu", "choice", "slot"])
def test_large_text_fits_80_by_24(snap_compare: Any, kd: SimpleNamespace, runtime: Runtime,
                                  screen: str) -> None:
    app = KioskApp(runtime)

    async def run_before(pilot: Any) -> None:
        await pilot.press("f3")
        await ROUTES[screen](kd, pilot)
        await quiet(pilot)
        assert kd.view(pilot.app).region.right <= 80
        assert pilot.app.screen.query_one("HelpBar").region.bottom <= 24

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
