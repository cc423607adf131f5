"""The kiosk app: wires screens, keys, themes, speech, helper mode and the idle policy to a
Runtime. Behaviour lives in the screens, widgets, runtime and idle modules."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual import events, work
from textual.app import App
from textual.binding import Binding

from hardware.headset import HeadsetWatch
from kiosk import systemd
from kiosk.crash import RESTART_EXIT_CODE, describe
from kiosk.display_caches import clear_display_caches
from kiosk.guides.runner import GuideRunner
from kiosk.idle import IdlePolicy
from kiosk.messages import HeadsetChanged, VoiceEvent
from kiosk.runtime import Runtime
from kiosk.screens.base import KioskScreen, Spoken
from kiosk.screens.error import TRY_AGAIN, ErrorScreen
from kiosk.screens.finish import FinishScreen, qr_settings
from kiosk.screens.idle import IdleScreen
from kiosk.screens.language import LanguageScreen
from kiosk.screens.menu import MenuScreen
from kiosk.screens.signin import SignInScreen
from kiosk.screens.staff_help import StaffHelpScreen
from kiosk.screens.step import StepScreen
from kiosk.screens.timeout_warning import TimeoutWarningScreen
from kiosk.session import DEFAULT_VOLUME
from kiosk.slip import Slip, finish_later_slip
from kiosk.themes import THEMES
from kiosk.widgets.caption import CaptionLine
from kiosk.widgets.helper_banner import HelperBanner
from translations.catalog import Localizer

log = logging.getLogger(__name__)

_WIDGET_CSS = ("big_button", "help_bar", "qr_code", "helper_banner", "record_banner",
               "caption", "say")


class KioskApp(App[None]):
    """The citizen-facing kiosk. The operator stops it through systemd (SIGTERM), not keys."""

    CSS_PATH = ["app.tcss", "screens/base.tcss", *(f"widgets/{n}.tcss" for n in _WIDGET_CSS)]  # noqa: RUF012
    ENABLE_COMMAND_PALETTE = False
    # Text selection is of no use at a kiosk, and Textual's handler for it crashed on a tap at
    # a widget being removed while a screen was built.
    ALLOW_SELECT = False
    BINDINGS = [  # noqa: RUF012
        # Kiosk mode: the usual ways out of a terminal app do nothing here.
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+z", "nothing", show=False, priority=True),
        Binding("f1", "staff_help", "Get staff help", show=False),
        Binding("f2", "repeat", "Repeat", show=False),
        Binding("f3", "toggle_large_text", "Bigger text", show=False),
        Binding("f4", "toggle_contrast", "High contrast", show=False),
        Binding("f10", "end", "End", show=False),
    ]

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        settings = runtime.settings
        self.l10n = Localizer(runtime.session.prefs.language)
        self.idle = IdlePolicy(runtime.clock, settings.idle_timeout_s, settings.idle_warning_s,
                               settings.max_extensions)
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = "default"
        # No motion: smooth scrolling helps nobody at a kiosk and can disorient.
        self.animation_level = "none"
        self._loop: asyncio.AbstractEventLoop | None = None
        self.headset = HeadsetWatch(runtime.headset, self._headset_from_thread)

    async def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.runtime.voice.on_event = self._voice_event_from_thread
        with suppress(NotImplementedError, RuntimeError, ValueError):
            self._loop.add_signal_handler(signal.SIGTERM, self.terminate)
        await self.push_screen(IdleScreen())
        self.headset.start()
        self.set_interval(1.0, self.check_time_limit)
        systemd.notify_ready()

    def on_unmount(self) -> None:
        self.headset.stop()
        self.runtime.voice.on_event = None
        if self._loop is not None:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.remove_signal_handler(signal.SIGTERM)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.note_input()
        if isinstance(event, events.Key):
            self._drop_focus_on_a_removed_widget()
        await super().on_event(event)

    def _drop_focus_on_a_removed_widget(self) -> None:
        # Textual lets a tap focus a widget that a redraw is taking down; the screen then sends
        # every key to that widget, which is gone, so End, Esc and the number keys did nothing
        # (found by the fuzz test). The key goes to the screen instead, and focus starts over.
        screen = self.screen
        if screen.focused is not None and not screen.focused.is_attached:
            screen.set_focus(None)
            if isinstance(screen, KioskScreen):
                screen.focus_first()

    # -- speech and captions --------------------------------------------------------------------

    def speak_screen(self, screen: Any) -> None:
        """Speak exactly what the screen shows, in the screen's language."""
        text = screen.speech_text()
        if text:
            self.runtime.voice.say(text, self.l10n.lang, private=bool(screen.private))

    def _voice_event_from_thread(self, kind: str, text: str) -> None:
        # Never block the voice thread on the UI: it may be joined while the UI shuts down.
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, VoiceEvent(kind, text))

    def _headset_from_thread(self, plugged: bool) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, HeadsetChanged(plugged))

    def on_headset_changed(self, event: HeadsetChanged) -> None:
        """Personal text goes only into a headset: follow the jack, and say the screen again so
        a citizen who just plugged one in hears what it holds."""
        self.runtime.output.set_route("headset" if event.plugged else "speaker")
        self.runtime.voice.stop()
        if isinstance(self.screen, Spoken):
            self.speak_screen(self.screen)

    def on_voice_event(self, event: VoiceEvent) -> None:
        caption = {"speaking": "♪ " + " ".join(event.text.split()),
                   "tone": self.l10n.gettext("Sound: warning tone")}.get(event.kind, "")
        for screen in reversed(self.screen_stack):
            found = screen.query(CaptionLine)
            if found:
                found.first().show(caption)
                return

    # -- the flow -------------------------------------------------------------------------------

    def start_session(self) -> None:
        self.runtime.session.begin()
        self.idle.reset()
        self.push_screen(LanguageScreen())

    async def choose_language(self, code: str) -> None:
        await self.set_language(code)
        if isinstance(self.screen_stack[-2], MenuScreen):
            await self.pop_screen()
        else:
            await self.switch_screen(MenuScreen())

    async def set_language(self, code: str) -> None:
        """Switch language: every screen is rebuilt in it, and the current one spoken again."""
        self.runtime.session.prefs.language = code
        self.l10n = Localizer(code)
        for screen in self.screen_stack:
            rerender = getattr(screen, "rerender", None)
            if rerender is not None:
                await rerender()
        self.speak_screen(self.screen)

    def show_languages(self) -> None:
        self.push_screen(LanguageScreen())

    def start_guide(self, guide_id: str) -> None:
        guide = next(g for g in self.runtime.guides if g.id == guide_id)
        self.push_screen(StepScreen(GuideRunner(guide, self.runtime.session,
                                                self.runtime.actions)))

    def sign_in(self, heading: Callable[[], tuple[str, str]],
                done: Callable[[bool | None], Any]) -> None:
        """Sign-in on the citizen's phone, headed by the asking step's words."""
        self.push_screen(SignInScreen(heading), callback=done)

    def show_finish(self, heading: Callable[[], tuple[str, str]], private: bool,
                    qr: str | None = None) -> None:
        self.switch_screen(FinishScreen(heading, private=private, qr=qr))

    def another_task(self) -> None:
        """From a finished task back to the menu's first page, still signed in."""
        self.runtime.session.end_guide()
        menu = self.screen_stack[-2]
        if isinstance(menu, MenuScreen):
            menu.from_start = True
        self.pop_screen()

    def show_error(self, message: str, retry: Callable[[], Any],
                   retry_label: str = TRY_AGAIN) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "retry":
                retry()
            elif choice == "help":
                self.action_staff_help()

        self.push_screen(ErrorScreen(message, retry_label, lambda: self.finish_later_slip(message),
                                     self.runtime.printer), callback=chosen)

    def finish_later_slip(self, problem: str) -> Slip:
        """The slip for the task in progress: its title, what went wrong, when, and the way on;
        nothing about the citizen."""
        task = next((s for s in reversed(self.screen_stack) if isinstance(s, StepScreen)), None)
        title = self.l10n.gettext(task.runner.guide.title) if task is not None else ""
        return finish_later_slip(self.l10n, guide_title=title, problem=problem,
                                 time=self.l10n.when(self.runtime.clock.now()),
                                 portal_url=qr_settings(self.runtime).get("portal_url"))

    # -- help bar actions -----------------------------------------------------------------------

    def action_nothing(self) -> None:
        """Kiosk mode: swallow the key."""

    def action_staff_help(self) -> None:
        if not isinstance(self.screen, StaffHelpScreen):
            self.push_screen(StaffHelpScreen(), callback=lambda _result: self.helper_changed())

    def action_lock_helper(self) -> None:
        self.runtime.helper.lock()
        self.helper_changed()

    def helper_changed(self) -> None:
        for screen in self.screen_stack:
            for banner in screen.query(HelperBanner):
                banner.sync()

    def action_repeat(self) -> None:
        self.runtime.voice.repeat()

    def action_toggle_large_text(self) -> None:
        prefs = self.runtime.session.prefs
        prefs.large_text = not prefs.large_text
        self.set_class(prefs.large_text, "large-text")
        screen = self.screen
        if isinstance(screen, KioskScreen):
            # Not awaited here: the help bar's Bigger text button runs this action inside its
            # own message loop, and the screen's redraw removes that button and waits for its
            # loop to end, which froze the kiosk (found by the fuzz test). The screen's loop
            # redraws it, and drops the redraw if the screen is gone by then.
            screen.call_later(screen.text_size_changed, prefs.large_text)

    def action_toggle_contrast(self) -> None:
        prefs = self.runtime.session.prefs
        prefs.theme = "default" if prefs.theme == "high-contrast" else "high-contrast"
        self.theme = prefs.theme

    def action_end(self) -> None:
        self.end_session()

    # -- time limits and the end of a visit -----------------------------------------------------

    def note_input(self) -> None:
        """Any key or click: stop speech, and count as presence (or as "more time, please")."""
        self.runtime.voice.stop()
        if self.idle.state().phase == "warning":
            if self.idle.extend() and isinstance(self.screen, TimeoutWarningScreen):
                self.screen.dismiss(None)
        else:
            self.idle.touch()

    def check_time_limit(self) -> None:
        """Once a second (and from tests): warn before the end, end when the time is up."""
        systemd.notify_watchdog()
        if not self.runtime.session.active:
            return
        state = self.idle.state()
        warning = next((s for s in self.screen_stack if isinstance(s, TimeoutWarningScreen)),
                       None)
        if state.phase == "expired":
            self.end_session()
        elif state.phase == "warning" and warning is None:
            self.runtime.voice.tone()
            self.push_screen(TimeoutWarningScreen(state))
        elif warning is not None:
            warning.update_state(state) if state.phase == "warning" else warning.dismiss(None)

    def end_session(self) -> None:
        """Finish, End, timeout or SIGTERM: forget the citizen and start over, fresh."""
        runtime = self.runtime
        token = self._forget_visit()
        if token is not None:
            self.revoke_token(token)
        runtime.output.set_volume(DEFAULT_VOLUME)
        self.idle.reset()
        self.l10n = Localizer(runtime.session.prefs.language)
        self.theme = "default"
        self.remove_class("large-text")
        self.call_next(self._back_to_idle)

    def _forget_visit(self) -> str | None:
        """Wipe the session, the voice's history and helper mode; returns the token that is
        still to be revoked at the service."""
        runtime = self.runtime
        token = runtime.session.access_token
        runtime.session.wipe()
        runtime.voice.reset()
        runtime.helper.lock()
        return token

    @work(thread=True, exit_on_error=False, group="sign-out")
    def revoke_token(self, token: str) -> None:
        """Sign-out at the service, off the UI thread; a failure leaves a short-lived token to
        expire on its own (signin.revoke logs that, without the token)."""
        self.runtime.signin.revoke(token)

    async def _back_to_idle(self) -> None:
        # Old screens hold personal text: remove every one, then show a new idle screen.
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(IdleScreen())
        # Only now: taking the old screens down still measures and styles their text.
        clear_display_caches()

    def _handle_exception(self, error: Exception) -> None:
        """Any unexpected error: end the visit at once (wipe, revoke), log where it happened
        without any value, leave a calm line instead of a traceback on the screen, and exit
        non-zero so systemd starts a fresh kiosk."""
        token = self._forget_visit()
        log.error("unexpected error, the kiosk restarts: %s", describe(error))
        if token is not None:
            self.runtime.signin.revoke(token)
        self._return_code = RESTART_EXIT_CODE
        if self._exception is None:
            # Textual's test pilot re-raises this at the end of run_test.
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(
            self.l10n.gettext("The kiosk has a problem and starts again. Please wait a moment."))
        self._close_messages_no_wait()

    def terminate(self) -> None:
        """SIGTERM from systemd: wipe, then exit cleanly."""
        systemd.notify_stopping()
        self.end_session()
        self.exit()
