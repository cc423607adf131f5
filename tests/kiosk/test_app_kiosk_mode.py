"""Kiosk mode: the usual terminal exits do nothing, the help bar works by key and by click,
SIGTERM wipes and exits, and language, contrast and text size reset between citizens."""

from __future__ import annotations

import os
import signal
from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.messages import GoBack
from kiosk.runtime import Runtime
from kiosk.screens.staff_help import StaffHelpScreen
from kiosk.widgets.help_bar import HELP_ITEMS


async def test_ctrl_c_ctrl_q_and_ctrl_z_do_not_exit(kd: SimpleNamespace, app: KioskApp) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("ctrl+c", "ctrl+q", "ctrl+z")
        await pilot.pause()
        assert app.is_running
        assert kd.screen_name(app) == "IdleView"
        assert app.return_code is None
    assert app.ENABLE_COMMAND_PALETTE is False


async def test_help_bar_is_on_every_screen_in_the_same_place(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        places = set()
        for key in ("enter", "2", "1"):
            await pilot.pause()
            bar = app.screen.query_one("HelpBar")
            places.add((bar.region, tuple(b.id for b in bar.query("Button"))))
            await pilot.press(key)
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StepView", "a step")
        bar = app.screen.query_one("HelpBar")
        places.add((bar.region, tuple(b.id for b in bar.query("Button"))))
        assert len(places) == 1
        assert [i for i, *_ in HELP_ITEMS] == list(next(iter(places))[1])


async def test_help_bar_controls_work_by_key_and_by_click(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f3")
        assert app.has_class("large-text")
        await pilot.click("#help-bigger")
        assert not app.has_class("large-text")
        await pilot.press("f4")
        assert app.theme == "high-contrast"
        await pilot.click("#help-contrast")
        assert app.theme == "default"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, StaffHelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#help-staff")
        await pilot.pause()
        assert isinstance(app.screen, StaffHelpScreen)
        await pilot.press("escape")
        await kd.wait_until(
            pilot, lambda: kd.screen_name(app) == "IdleView", "the dialog closing"
        )
        # Focus is back on the staff help control, so Enter would open it again: use 1.
        await pilot.press("1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await pilot.click("#help-back")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "back to idle")


async def test_end_resets_language_theme_and_text_size(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot, language_key="2")
        assert app.l10n.lang == "en"
        await pilot.press("f3", "f4")
        assert app.has_class("large-text") and app.theme == "high-contrast"
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle screen")
        assert app.l10n.lang == runtime.settings.default_language
        assert not app.has_class("large-text")
        assert app.theme == "default"
        assert runtime.session.prefs.theme == "default"


async def test_switching_language_rerenders_and_respeaks(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot, language_key="1")
        norwegian = kd.view(app).speech_text()
        assert runtime.voice.last_text == norwegian
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        await pilot.click("#change-language")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu again")
        assert app.l10n.lang == "en"
        assert "What do you want to do?" in kd.view(app).speech_text()
        assert runtime.voice.last_text == kd.view(app).speech_text()


async def test_sigterm_wipes_and_exits(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: runtime.session.person is not None, "signed in")
        os.kill(os.getpid(), signal.SIGTERM)
        await kd.wait_until(pilot, lambda: runtime.session.person is None, "the SIGTERM handler")
    assert runtime.session.person is None
    assert runtime.session.answers == {}


async def test_keys_still_work_after_a_tap_focused_a_tile_being_taken_down(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        menu = kd.view(app)
        tile = menu.query_one("#guide-medicines")
        # What Textual does for a tap that lands on a tile while a redraw removes it.
        removed = tile.remove()
        app.screen.set_focus(tile)
        await removed
        assert app.focused is tile and not tile.is_attached
        await pilot.press("down")
        assert app.focused is not None and app.focused.is_attached
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the welcome")


async def test_a_screen_closed_before_it_is_up_leaves_the_kiosk_running(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        # F1 and a tap on Back in the same moment: the dialog goes before it was mounted.
        app.action_staff_help()
        app.pop_screen()
        app.start_guide("medicines")
        app.call_next(app.post_message, GoBack())
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        # The task that was left does not go on to its sign-in on top of the menu.
        for _ in range(5):
            await pilot.pause()
        assert [type(s).__name__ for s in app.flow.views] == ["IdleView", "MenuView"]
