"""The kiosk app: wires the frame, the flow of views, keys, themes, speech, helper mode and the
idle policy to a Runtime. Views ask for the next thing with messages (kiosk.messages); the
handlers here decide what comes. Behaviour lives in the views, widgets, runtime and idle
modules.

Started by `kiosk run` with a ``Starting`` (kiosk/starting.py), the app draws the welcome view
first and builds the runtime in the background. So what only comes after the welcome view (the
runtime, the guide runner, the step, sign-in, finish, error and staff views, and through them
HTTP and the practice service) is imported where it is first needed, and warmed in the
background once the runtime is built: the first screen does not wait for it (bench/startup.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding

from hardware.audio import CHIME_S
from hardware.headset import HeadsetWatch
from helper_mode.panel import StaffView, staff_view
from kiosk import systemd
from kiosk.card_reader import PAUSE_S, CardReader, Read
from kiosk.config import Settings
from kiosk.crash import RESTART_EXIT_CODE, describe
from kiosk.display_caches import clear_display_caches
from kiosk.idle import IdlePolicy
from kiosk.messages import (
    Announce,
    AnotherTask,
    EndVisit,
    FinishWanted,
    FocusMoved,
    GoBack,
    GuideChosen,
    GuideRestart,
    HeadsetChanged,
    LanguageChosen,
    LanguageWanted,
    ListeningChanged,
    ServiceTrouble,
    SignInWanted,
    Speak,
    SpokenAnswer,
    StaffCallChanged,
    StartVisit,
    VoiceEvent,
)
from kiosk.prefcard import card_of, read_card
from kiosk.screens.base import KioskModal
from kiosk.screens.frame import FrameScreen
from kiosk.screens.idle import IdleView, starts_a_visit
from kiosk.screens.language import LanguageView
from kiosk.screens.menu import MenuView
from kiosk.screens.timeout_warning import TimeoutWarningScreen
from kiosk.screens.view import View
from kiosk.session import DEFAULT_VOLUME, RATES
from kiosk.starting import StartFailed, Starting
from kiosk.stats import VisitTally, count_visit
from kiosk.themes import THEMES
from kiosk.voice_control import LISTENING, NO_LISTENING, VoiceControl
from kiosk.widgets.caption import CaptionLine
from kiosk.widgets.flow import Flow
from kiosk.widgets.help_bar import HelpBar
from kiosk.widgets.helper_banner import HelperBanner
from kiosk.widgets.helper_panel import HelperPanel
from kiosk.widgets.practice_banner import PracticeBanner
from kiosk.widgets.record_banner import RecordBanner
from translations.catalog import N_, Localizer
from translations.languages import LANGUAGES

if TYPE_CHECKING:
    from kiosk.practice import PracticeService
    from kiosk.runtime import Runtime
    from kiosk.services.signin import DeviceSignIn
    from kiosk.slip import Slip
    from speech.recognizer import Heard

log = logging.getLogger(__name__)

EXPLORE_ON = N_("Explore mode is on: a number key says its button; press it again to choose.")
EXPLORE_OFF = N_("Explore mode is off.")
HEADSET_ON = N_("The headset is connected. Speech now comes through it.")
CHIME_CAPTION = N_("Sound: call chime")
CALL_CANCELLED = N_("The call for staff is cancelled.")
CARD_USED = N_("Your settings from the card are used for this visit.")
CARD_NOT_READ = N_("That code is not a settings card for this kiosk. Nothing was changed.")
CARD_PRINTED = N_("Your settings card is printed. Take it with you.")
PRACTICE_SAID = N_("Practice. This is a practice visit: the people here are made up, and "
                   "nothing you do is sent to the health service.")


def _warm_later_views() -> None:
    """Import what the views after the welcome view need, off the UI thread."""
    import kiosk.screens.error
    import kiosk.screens.finish
    import kiosk.screens.signin
    import kiosk.screens.staff_help
    import kiosk.screens.step  # noqa: F401

_WIDGET_CSS = ("big_button", "help_bar", "qr_code", "helper_banner", "helper_panel",
               "practice_banner",
               "record_banner", "caption", "say")


class KioskApp(App[None]):
    """The citizen-facing kiosk. The operator stops it through systemd (SIGTERM), not keys."""

    CSS_PATH = ["app.tcss", "screens/base.tcss", "screens/views.tcss",  # noqa: RUF012
                *(f"widgets/{n}.tcss" for n in _WIDGET_CSS)]
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
        Binding("f5", "talk", "Talk", show=False),
        Binding("f6", "speech_rate(False)", "Slower speech", show=False),
        Binding("f7", "speech_rate(True)", "Faster speech", show=False),
        Binding("f8", "volume(False)", "Softer", show=False),
        Binding("f9", "volume(True)", "Louder", show=False),
        Binding("f10", "end", "End", show=False),
        Binding("f11", "toggle_explore", "Explore mode", show=False),
        Binding("f12", "print_card", "Settings card", show=False),
        # Shift+F12 (a terminal sends it as F24): the task on the citizen's phone.
        Binding("f24,shift+f12", "continue_on_phone", "Continue on my phone", show=False),
    ]

    def __init__(self, start: Runtime | Starting) -> None:
        super().__init__()
        self._starting: Starting | None
        self._runtime: Runtime | None
        if isinstance(start, Starting):
            self._starting, self._runtime = start, None
            settings, clock, language = start.settings, start.clock, start.settings.default_language
        else:
            self._starting, self._runtime = None, start
            settings, clock, language = start.settings, start.clock, start.session.prefs.language
        self.settings: Settings = settings
        self.start_failure: StartFailed | None = None
        """Why the runtime could not be built (``kiosk run`` prints it)."""
        self._start_when_ready = False
        self._last_key: tuple[str, float] = ("", float("-inf"))
        self._last_key_event: events.Key | None = None
        self.l10n = Localizer(language)
        self.idle = IdlePolicy(clock, settings.idle_timeout_s, settings.idle_warning_s,
                               settings.max_extensions)
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = "default"
        # No motion: smooth scrolling helps nobody at a kiosk and can disorient.
        self.animation_level = "none"
        self._loop: asyncio.AbstractEventLoop | None = None
        self.headset: HeadsetWatch | None = None
        self.voice_control: VoiceControl | None = None
        self._card_reader: CardReader[events.Key] = CardReader()
        self._keys_seen: deque[events.Key] = deque(maxlen=64)
        """Keys the card reader has seen: a key comes back up from the screen it went to."""
        self._tally: VisitTally | None = None
        """What the visit under way adds to the visit counts (None: no visit, or practice)."""
        self.frame = FrameScreen(self.l10n, card=self.settings.printer_device is not None)

    @property
    def ready(self) -> bool:
        """The runtime is built: the kiosk takes input."""
        return self._runtime is not None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the kiosk is still starting")
        return self._runtime

    @property
    def built(self) -> Runtime | None:
        """The runtime, if it was built (``kiosk run`` closes it after the app)."""
        return self._runtime

    @property
    def speech_problem(self) -> str | None:
        return self._runtime.speech_problem if self._runtime is not None else None

    @property
    def voice_hint(self) -> str | None:
        return self.voice_control.hint() if self.voice_control is not None else None

    @property
    def large_text(self) -> bool:
        return self._runtime is not None and self._runtime.session.prefs.large_text

    @property
    def flow(self) -> Flow:
        return self.frame.flow

    async def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        with suppress(NotImplementedError, RuntimeError, ValueError):
            self._loop.add_signal_handler(signal.SIGTERM, self.terminate)
        await self.push_screen(self.frame)
        await self.flow.push(IdleView())
        if self._runtime is not None:
            self._now_ready()
        else:
            self.call_after_refresh(self._build_runtime)

    @work(thread=True, group="start")
    def _build_runtime(self) -> None:
        """After the first screen is drawn: build the runtime (an unexpected error takes the
        crash path, which restarts the kiosk)."""
        assert self._starting is not None
        try:
            runtime = self._starting.build()
        except StartFailed as failure:
            self.call_from_thread(self._start_failed, failure)
            return
        _warm_later_views()
        try:
            self.call_from_thread(self._runtime_built, runtime)
        except RuntimeError:
            runtime.close()  # the kiosk was stopped while it started

    def _start_failed(self, failure: StartFailed) -> None:
        self.start_failure = failure
        self.exit(return_code=2)

    def _runtime_built(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._now_ready()
        self.call_later(self._show_ready)

    async def _show_ready(self) -> None:
        """The welcome view, now that the kiosk listens: with a note if speech failed, spoken,
        and a visit started if someone already touched the screen."""
        runtime = self.runtime
        view = self.frame.view
        if view is not None:
            if runtime.speech_problem:
                await view.rerender()
            self.sync_banners()
            if self.screen is self.frame:
                self.say_shown(view)
        if self._start_when_ready:
            self.post_message(StartVisit())

    def _now_ready(self) -> None:
        runtime = self.runtime
        runtime.voice.on_event = self._voice_event_from_thread
        runtime.staff_call.on_change = self._staff_call_from_thread
        if runtime.listener is not None:
            runtime.listener.on_heard = self._heard_from_thread
            runtime.listener.on_state = self._listening_from_thread
            self.voice_control = VoiceControl(self, runtime.listener)
            runtime.listener.prepare(self.l10n.lang)
        self.headset = HeadsetWatch(runtime.headset, self._headset_from_thread)
        self.headset.start()
        self.set_interval(1.0, self.check_time_limit)
        systemd.notify_ready()

    def on_unmount(self) -> None:
        if self.headset is not None:
            self.headset.stop()
        if self._runtime is not None:
            self._runtime.voice.on_event = None
            self._runtime.staff_call.on_change = None
            if self._runtime.listener is not None:
                self._runtime.listener.on_heard = self._runtime.listener.on_state = None
        if self._loop is not None:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.remove_signal_handler(signal.SIGTERM)

    async def on_event(self, event: events.Event) -> None:
        if not self.ready and isinstance(event, events.Key | events.MouseEvent):
            # The kiosk is still starting (a moment after boot): input is not taken, but a
            # touch or key that starts a visit starts it as soon as the kiosk is ready.
            if isinstance(event, events.MouseDown) or (
                    isinstance(event, events.Key) and (starts_a_visit(event.key)
                                                      or event.key == "1")):
                self._start_when_ready = True
            return
        if isinstance(event, events.Key) and not any(k is event for k in self._keys_seen):
            read = self._card_reader.feed(event, event.key, event.character, time.monotonic())
            if read.deliver != [event] or read.card is not None:
                self.note_input()
                await self._card_read(read)
                return
            self._keys_seen.append(event)
        if isinstance(event, events.Key) and self._repeated(event):
            return
        if isinstance(event, events.Key | events.MouseDown):
            self.note_input()
        if isinstance(event, events.Key):
            self._drop_focus_on_a_removed_widget()
        await super().on_event(event)

    def _repeated(self, event: events.Key) -> bool:
        """The same key again within repeated_press_s: a tremor or a held key, not a choice."""
        if event is self._last_key_event:
            return False  # the same press, coming back up from the screen
        self._last_key_event = event
        limit = self.settings.repeated_press_s
        now = self.runtime.clock.monotonic()
        last_key, last_at = self._last_key
        self._last_key = (event.key, now)
        return limit > 0 and event.key == last_key and now - last_at < limit

    def _drop_focus_on_a_removed_widget(self) -> None:
        # Textual lets a tap focus a widget that a redraw is taking down; the screen then sends
        # every key to that widget, which is gone, so End, Esc and the number keys did nothing
        # (found by the fuzz test). The key goes to the screen instead, and focus starts over.
        screen = self.screen
        if screen.focused is not None and not screen.focused.is_attached:
            screen.set_focus(None)
            if screen is self.frame and self.frame.view is not None:
                self.frame.view.focus_first()

    # -- the preference card --------------------------------------------------------------------

    async def _card_read(self, read: Read[events.Key]) -> None:
        """Keys the card reader gave back go on as typed; a card read is applied."""
        for key in read.deliver:
            self._keys_seen.append(key)
            await self.on_event(key)
        if read.card is not None:
            await self.apply_card(read.card)
        if self._card_reader.holding:
            self.set_timer(PAUSE_S, self._card_pause)

    async def _card_pause(self) -> None:
        await self._card_read(self._card_reader.expire(time.monotonic()))

    async def apply_card(self, text: str) -> None:
        """A scanned preference card: its settings for this visit (wiped at its end), and a
        spoken note; a code that is not one changes nothing and says so. On the welcome view it
        starts a visit in the card's language."""
        card = read_card(text, LANGUAGES)
        if card is None:
            self.runtime.voice.say(self.l10n.gettext(CARD_NOT_READ), self.l10n.lang)
            return
        runtime = self.runtime
        prefs = runtime.session.prefs
        prefs.speech = card.speech
        runtime.voice.enabled = self.settings.speech and card.speech
        prefs.speech_rate = runtime.voice.rate = RATES[card.rate]
        prefs.longer_time = card.longer_time
        self.idle.timeout_s = self.settings.idle_timeout_s * (2 if card.longer_time else 1)
        if prefs.large_text != card.large_text:
            self.action_toggle_large_text()
        note = Localizer(card.language).gettext(CARD_USED)
        starting = isinstance(self.flow.top, IdleView) and not runtime.session.active
        if starting:
            self.post_message(StartVisit())
        if starting or isinstance(self.flow.top, LanguageView):
            # The language question is answered by the card: on to the menu, said in it.
            self.post_message(LanguageChosen(card.language))
            runtime.voice.say(note, card.language)
            return
        if card.language != self.l10n.lang:
            await self.set_language(card.language)
        shown = self.speaking()
        if shown is not None:
            self.say_shown(shown, intro=note)  # the note, then the screen again
        else:
            runtime.voice.say(note, card.language)


    def action_print_card(self) -> None:
        """F12, or the help bar's Settings card: this visit's settings printed as a card."""
        from kiosk.slip import settings_card_slip

        code = card_of(self.runtime.session.prefs).text()
        self._print_slip(settings_card_slip(self.l10n, code), CARD_PRINTED)

    def task_link(self) -> tuple[str, str] | None:
        """The task in progress and its page in the health portal (``portal_links``): (its
        title, translated; the link), or None when no task is open or it has no link."""
        from kiosk.handoff import portal_link
        from kiosk.screens.step import StepView

        if not self.ready or isinstance(self.flow.top, IdleView):
            return None
        task = next((v for v in reversed(self.flow.views) if isinstance(v, StepView)), None)
        guide = task.runner.guide if task is not None else None
        link = portal_link(self.settings.portal_links, guide.id if guide else None)
        if guide is None or link is None:
            return None
        return self.l10n.gettext(guide.title), link

    def action_continue_on_phone(self) -> None:
        """Shift+F12, the help bar or the helper panel: the task's page in the health portal as
        a QR code (offered only where the task has one)."""
        from kiosk.screens.phone_handoff import PhoneHandoffScreen

        found = self.task_link()
        if found is None or self.screen is not self.frame:
            return  # not offered, or a dialog (this one too) is open
        title, link = found

        def chosen(choice: str | None) -> None:
            if choice == "print":
                self._print_handoff(title, link)

        self.push_screen(PhoneHandoffScreen(link, can_print=self.runtime.printer.available),
                         callback=chosen)

    def action_print_task_slip(self) -> None:
        """The helper panel's Print a slip: the task handed over on paper. (The only other slip
        of a task, to finish later, belongs to the error dialog, which has its own button.)"""
        found = self.task_link()
        if found is not None:
            self._print_handoff(*found)

    def _print_handoff(self, title: str, link: str) -> None:
        from kiosk.screens.error import PRINTED
        from kiosk.slip import handoff_slip

        self._print_slip(handoff_slip(self.l10n, guide_title=title, link=link), PRINTED)

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def _print_slip(self, slip: Slip, printed: str) -> None:
        """Off the UI thread (a stuck printer takes seconds to give up); says how it went
        (``printed``: the msgid for a slip that came out)."""
        from hardware.printer import PrinterError
        from kiosk.slip import spoken

        try:
            self.runtime.printer.print_receipt(slip)
            msgid, then = printed, spoken(slip)
        except PrinterError as exc:
            msgid, then = exc.msgid, ""
        with suppress(RuntimeError):  # the kiosk stopped meanwhile
            self.call_from_thread(self._announce, msgid, then)

    def _announce(self, msgid: str, then: str = "") -> None:
        """Say how printing went (a msgid), then what the slip says (already translated)."""
        text = "\n".join(t for t in (self.l10n.gettext(msgid), then) if t)
        self.runtime.voice.say(text, self.l10n.lang)

    # -- speech and captions --------------------------------------------------------------------

    def speaking(self) -> View | KioskModal | None:
        """What is shown on top: a dialog, else the flow's current view."""
        if not self.screen_stack:
            return None  # shutting down
        if isinstance(self.screen, KioskModal):
            return self.screen
        return self.frame.view if self.screen is self.frame else None

    def say_shown(self, shown: View | KioskModal, intro: str = "") -> None:
        """Speak exactly what it shows, in the language of the moment (after ``intro``)."""
        if self.voice_control is not None:
            self.voice_control.refresh()
        text = "\n".join(t for t in (intro, shown.speech_text()) if t)
        if text:
            self.runtime.voice.say(text, self.l10n.lang, private=bool(shown.private))

    def on_speak(self, message: Speak) -> None:
        self.sync_banners()
        if isinstance(message.view, View | KioskModal) and message.view.is_attached:
            self.say_shown(message.view)

    def _voice_event_from_thread(self, kind: str, text: str) -> None:
        # Never block the voice thread on the UI: it may be joined while the UI shuts down.
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, VoiceEvent(kind, text))

    def _headset_from_thread(self, plugged: bool) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, HeadsetChanged(plugged))

    def _staff_call_from_thread(self, _state: str) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, StaffCallChanged())

    def on_headset_changed(self, event: HeadsetChanged) -> None:
        """Personal text goes only into a headset: follow the jack, and say the screen again so
        a citizen who just plugged one in hears what it holds."""
        self.runtime.output.set_route("headset" if event.plugged else "speaker")
        self.runtime.voice.stop()
        shown = self.speaking()
        if shown is not None:
            self.say_shown(shown, intro=self._headset_intro() if event.plugged else "")

    def _headset_intro(self) -> str:
        """Said first when a headset is plugged in: that it works, and where things are."""
        places = self.settings.places.get(self.l10n.lang, "")
        return " ".join(p for p in (self.l10n.gettext(HEADSET_ON), places) if p)

    def on_voice_event(self, event: VoiceEvent) -> None:
        caption = {"speaking": "♪ " + " ".join(event.text.split()),
                   "tone": self.l10n.gettext("Sound: warning tone")}.get(event.kind, "")
        if self.voice_control is not None and event.kind in ("speaking", "done"):
            self.voice_control.speaking(event.kind == "speaking")
            listener = self.voice_control.listener
            if event.kind == "done" and listener.listening and listener.listens(self.l10n.lang):
                # Speech cut short by the Talk key ends after listening began: say so still.
                caption = self.l10n.gettext(LISTENING)
        self.show_caption(caption)

    def show_caption(self, caption: str) -> None:
        """The line under the flow: what is spoken, what is heard, whether the kiosk listens."""
        for screen in reversed(self.screen_stack):
            found = screen.query(CaptionLine)
            if found:
                found.first().show(caption)
                return

    # -- listening --------------------------------------------------------------------------

    def _heard_from_thread(self, heard: Heard) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(
                    self.post_message, SpokenAnswer(heard.text, heard.command))

    def _listening_from_thread(self, state: str) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self.post_message, ListeningChanged(state))

    def on_spoken_answer(self, message: SpokenAnswer) -> None:
        if self.voice_control is not None:
            self.voice_control.answered(message.text, message.command)

    async def on_listening_changed(self, message: ListeningChanged) -> None:
        if message.state == "listening":
            self.show_caption(self.l10n.gettext(LISTENING))
        elif message.state == "idle":
            self.show_caption("")
        else:
            # A model became ready, or the microphone went away: what the view says about
            # voice changes with it.
            view = self.frame.view
            if view is not None:
                await view.rerender()
            if self.voice_control is not None:
                self.voice_control.refresh()

    def action_talk(self) -> None:
        """F5 (or the talk button): listen for one answer."""
        if self.voice_control is None or not self.voice_control.talk():
            self.runtime.voice.say(self.l10n.gettext(NO_LISTENING), self.l10n.lang)
            self.show_caption(self.l10n.gettext(NO_LISTENING))

    def confirm_spoken(self, heard: str, then: Callable[[], Any], *,
                       private: bool = False) -> None:
        """Say back what was heard and act only on a yes."""
        from kiosk.screens.voice_confirm import VoiceConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(VoiceConfirmScreen(heard, private=private), callback=answered)

    def go_back_or_close(self) -> None:
        """Back, by voice: a dialog closes, a view goes back."""
        if isinstance(self.screen, KioskModal):
            self.screen.action_close()
        elif self.screen is self.frame:
            self.frame.action_back()

    def on_announce(self, message: Announce) -> None:
        self.runtime.voice.say(message.text, self.l10n.lang)

    def action_toggle_explore(self) -> None:
        """F11: explore mode on or off (buttons are said before they are pressed)."""
        prefs = self.runtime.session.prefs
        prefs.explore = not prefs.explore
        self.runtime.voice.say(self.l10n.gettext(EXPLORE_ON if prefs.explore else EXPLORE_OFF),
                               self.l10n.lang)

    def on_focus_moved(self, message: FocusMoved) -> None:
        if message.said:
            self.runtime.voice.say(message.said, self.l10n.lang)

    def on_frame_screen_resumed(self, message: FrameScreen.Resumed) -> None:
        # A dialog closed: listen for the view's offers again.
        if self.voice_control is not None:
            self.voice_control.refresh()

    def sync_banners(self) -> None:
        """Whose record is open, and who is helping: the banners follow the session."""
        acting = self.runtime.session.acting_for
        for banner in self.frame.query(RecordBanner):
            banner.show(acting.display_name if acting is not None else None, self.l10n)
        for helper in self.frame.query(HelperBanner):
            helper.show(self.runtime.helper.active_staff, self.l10n)
        self._sync_helper_panel()
        for practice in self.frame.query(PracticeBanner):
            practice.show(self.runtime.practice is not None, self.l10n)
        phone = self.task_link() is not None
        for bar in self.frame.query(HelpBar):
            bar.offer_phone(phone)

    # -- the flow -------------------------------------------------------------------------------

    async def on_flow_shown(self, message: Flow.Shown) -> None:
        view = message.view
        if not isinstance(view, View) or view is not self.flow.top:
            return
        if not self.ready:
            view.focus_first()
            return  # spoken once the kiosk is ready
        if isinstance(view, IdleView):
            # The Welcome view is the next citizen's: whoever reaches it with a visit still
            # open (any way back that forgot to end it) ends that visit first.
            session = self.runtime.session
            if session.active or session.signed_in:
                self.end_session()
                return
        await view.shown_again()
        view.focus_first()
        self.sync_banners()
        if self.screen is self.frame:
            # A practice visit says so first, before its first question.
            starting = self.runtime.practice is not None and isinstance(view, LanguageView) \
                and self.flow.depth == 2
            self.say_shown(view, intro=self.l10n.gettext(PRACTICE_SAID) if starting else "")

    async def on_start_visit(self, message: StartVisit) -> None:
        if self.runtime.session.active or not isinstance(self.flow.top, IdleView):
            return
        self.runtime.session.begin()
        self.runtime.audit.citizen_event("visit_start")
        # Practice visits are not counted: they are a course's, not citizens'.
        self._tally = None if self.runtime.practice is not None else VisitTally()
        self.helper_changed()
        self.idle.reset()
        await self.flow.push(LanguageView())

    async def on_language_chosen(self, message: LanguageChosen) -> None:
        await self.set_language(message.code)
        views = self.flow.views
        if len(views) >= 2 and not isinstance(views[-2], IdleView):
            # Asked for from the menu or, by a helper, from a task: back to where it was.
            await self.flow.pop()
        else:
            await self.flow.replace(MenuView())

    async def set_language(self, code: str) -> None:
        """Switch language: every view and dialog is rebuilt in it, and the one on top spoken
        again."""
        self.runtime.session.prefs.language = code
        self.l10n = Localizer(code)
        await self.frame.relabel(self.l10n)
        for view in self.flow.views:
            if isinstance(view, View):
                await view.rerender()
        for screen in self.screen_stack:
            if isinstance(screen, KioskModal):
                await screen.rerender()
        shown = self.speaking()
        if isinstance(shown, View):
            shown.focus_first()
        if shown is not None:
            self.say_shown(shown)

    async def on_language_wanted(self, message: LanguageWanted) -> None:
        await self.flow.push(LanguageView())

    async def on_guide_chosen(self, message: GuideChosen) -> None:
        self.start_guide(message.guide_id)

    def start_guide(self, guide_id: str) -> None:
        from kiosk.guides.runner import GuideRunner
        from kiosk.screens.step import StepView

        guide = next(g for g in self.runtime.guides if g.id == guide_id)
        if self._tally is not None:
            self._tally.task(guide_id)
        runner = GuideRunner(guide, self.runtime.session, self.runtime.visit.actions)
        self.call_next(self.flow.push, StepView(runner))

    async def on_guide_restart(self, message: GuideRestart) -> None:
        """Begin the guide again on a new view, keeping nothing typed before."""
        await self.flow.pop()
        self.start_guide(message.guide_id)

    async def on_sign_in_wanted(self, message: SignInWanted) -> None:
        """Sign-in on the citizen's phone, headed by the asking step's words."""
        from kiosk.screens.signin import SignInView

        if message.asker is self.flow.top:
            await self.flow.push(SignInView(message.heading), message.done)

    async def on_finish_wanted(self, message: FinishWanted) -> None:
        from kiosk.screens.finish import FinishView

        if message.asker is self.flow.top:
            await self.flow.replace(FinishView(message.heading, private=message.private,
                                               qr=message.qr))

    async def on_another_task(self, message: AnotherTask) -> None:
        """From a finished task back to the menu's first page, still signed in."""
        self.runtime.session.end_guide()
        views = self.flow.views
        if len(views) >= 2 and isinstance(views[-2], MenuView):
            views[-2].from_start = True
        await self.flow.pop()

    async def on_go_back(self, message: GoBack) -> None:
        """Back from the view on top: to the one before; back past the first view of a visit
        ends it, since the Welcome view belongs to the next citizen."""
        if self.flow.depth > 2:
            await self.flow.pop()
        elif self.flow.depth == 2:
            self.end_session()

    def on_end_visit(self, message: EndVisit) -> None:
        self.end_session()

    def on_service_trouble(self, message: ServiceTrouble) -> None:
        self.show_error(message.message, message.retry, message.retry_label)

    def show_error(self, message: str, retry: Callable[[], Any],
                   retry_label: str | None = None) -> None:
        from kiosk.screens.error import TRY_AGAIN, ErrorScreen

        def chosen(choice: str | None) -> None:
            if choice == "retry":
                retry()
            elif choice == "help":
                self.action_staff_help()

        if isinstance(self.screen, ErrorScreen):
            # A second failure while the first is shown (a tile pressed twice, two requests
            # gone): one dialog, whose "Try again" repeats the newest.
            self.pop_screen()
        self.push_screen(ErrorScreen(message, retry_label or TRY_AGAIN,
                                     lambda: self.finish_later_slip(message),
                                     self.runtime.printer), callback=chosen)

    def finish_later_slip(self, problem: str) -> Slip:
        """The slip for the task in progress: its title, what went wrong, when, and the way on;
        nothing about the citizen."""
        from kiosk.screens.finish import qr_settings
        from kiosk.screens.step import StepView
        from kiosk.slip import finish_later_slip

        task = next((v for v in reversed(self.flow.views) if isinstance(v, StepView)), None)
        title = self.l10n.gettext(task.runner.guide.title) if task is not None else ""
        return finish_later_slip(self.l10n, guide_title=title, problem=problem,
                                 time=self.l10n.when(self.runtime.clock.now()),
                                 portal_url=qr_settings(self.runtime).get("portal_url"))

    # -- help bar actions -----------------------------------------------------------------------

    def action_nothing(self) -> None:
        """Kiosk mode: swallow the key."""

    def action_staff_help(self) -> None:
        """F1, the help control, "help" said, or a hardware help button sending F1: call staff
        (the chime rings here at once, whatever the network does) and show how the call goes."""
        from kiosk.screens.staff_help import StaffHelpScreen

        if isinstance(self.screen, StaffHelpScreen):
            return
        runtime = self.runtime
        called = runtime.staff_call.call()
        if called:
            runtime.audit.citizen_event("help_called")
            runtime.voice.stop()
            try:
                runtime.output.play(runtime.chime)
            except Exception:  # a broken sound card must not take the call down with it
                log.exception("call staff: the chime could not be played")
            self.show_caption(self.l10n.gettext(CHIME_CAPTION))
        # A call already going is shown as it stands, neither sent nor chimed again.
        self.push_screen(StaffHelpScreen(wait_s=CHIME_S if called else 0.0),
                         callback=self._staff_help_closed)

    def _staff_help_closed(self, result: str | None) -> None:
        runtime = self.runtime
        if result in ("unlocked", "practice"):
            runtime.staff_call.answered()  # the staff member is here
        if result == "practice":
            self.start_practice()
        elif result == "cancelled":
            runtime.staff_call.cancel()
            runtime.audit.citizen_event("help_cancelled")
            runtime.voice.say(self.l10n.gettext(CALL_CANCELLED), self.l10n.lang)
        self.helper_changed()

    def on_staff_call_changed(self, message: StaffCallChanged) -> None:
        from kiosk.screens.staff_help import StaffHelpScreen

        state = self.runtime.staff_call.state
        for screen in self.screen_stack:
            if isinstance(screen, StaffHelpScreen):
                screen.show_call(state)

    @work(thread=True, exclusive=True, group="practice", exit_on_error=False)
    def start_practice(self) -> None:
        """Staff asked for a practice visit: start its own practice service (off the UI
        thread), then end whatever visit was open and begin the practice one."""
        from kiosk.practice import start_practice

        runtime = self.runtime
        service = start_practice(runtime.settings, runtime.clock,
                                 runtime.actions.context.translator)
        try:
            self.call_from_thread(self._practice_ready, service)
        except RuntimeError:
            service.close()  # the kiosk stopped meanwhile

    def _practice_ready(self, service: PracticeService) -> None:
        # Nothing of the visit before (a real citizen's) may stay into the practice one.
        self.end_session()
        self.runtime.practice = service
        self.call_next(self.post_message, StartVisit())

    def action_lock_helper(self) -> None:
        self.runtime.helper.lock()
        self.helper_changed()

    def helper_changed(self) -> None:
        if self._tally is not None:
            self._tally.helped(self.runtime.helper.active_staff is not None)
        self.sync_banners()

    def _sync_helper_panel(self) -> None:
        """The helper panel: while helper mode is on, the task as staff may see it, in the
        kiosk's own language (the staff member's), whatever the citizen's."""
        staff = self.runtime.helper.active_staff
        panels = self.frame.query(HelperPanel)
        if staff is None:
            for panel in panels:
                panel.show(None, StaffView(), self.l10n, restartable=False)
            return
        from kiosk.screens.signin import SignInView
        from kiosk.screens.step import StepView

        task = next((v for v in reversed(self.flow.views) if isinstance(v, StepView)), None)
        view = staff_view(task.runner.guide if task else None,
                          task.runner.step if task else None, self.runtime.session.labels,
                          signing_in=isinstance(self.flow.top, SignInView))
        restartable = task is not None and task is self.flow.top and task.can_restart
        staff_l10n = Localizer(self.settings.default_language)
        phone = self.task_link() is not None
        handoff = {"panel-phone"} if phone else set()
        if phone and self.runtime.printer.available:
            handoff.add("panel-print")
        for panel in panels:
            panel.show(staff, view, staff_l10n, restartable=restartable,
                       handoff=frozenset(handoff))

    def action_explain_step(self) -> None:
        """The helper panel: say how to answer this step (its help), in the citizen's language;
        a private step's help only into a headset."""
        from kiosk.screens.step import StepView

        view = self.frame.view
        if isinstance(view, StepView):
            prompt, help_text = view.heading()
            self.runtime.voice.say(help_text or prompt, self.l10n.lang, private=view.private)

    def action_restart_step(self) -> None:
        """The helper panel: ask the question on the citizen's screen again, from empty."""
        from kiosk.screens.step import StepView

        view = self.frame.view
        if isinstance(view, StepView):
            view.call_later(view.restart_step)

    def action_change_language(self) -> None:
        """The helper panel: the language screen, as the menu's Language button opens it; the
        task waits underneath and comes back in the new language."""
        self.post_message(LanguageWanted())

    def action_repeat(self) -> None:
        self.runtime.voice.repeat()

    def action_speech_rate(self, faster: bool) -> None:
        """F6/F7, or "slower"/"faster": one step, heard at once on what was last said."""
        self.runtime.voice.rate = self.runtime.session.prefs.step_rate(faster)
        self.runtime.voice.repeat()

    def action_volume(self, louder: bool) -> None:
        """F8/F9, or "softer"/"louder": one step, heard at once on what was last said."""
        self.runtime.output.set_volume(self.runtime.session.prefs.step_volume(louder))
        self.runtime.voice.repeat()

    def action_toggle_large_text(self) -> None:
        prefs = self.runtime.session.prefs
        prefs.large_text = not prefs.large_text
        self.set_class(prefs.large_text, "large-text")
        view = self.frame.view
        if view is not None:
            # Not awaited here: the help bar's Bigger text button runs this action inside its
            # own message loop, and the view's redraw removes widgets and waits for their loops
            # to end, which froze the kiosk (found by the fuzz test). The view's loop redraws
            # it, and drops the redraw if the view is gone by then.
            view.call_later(view.text_size_changed, prefs.large_text)

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
        self.runtime.helper.note_activity()
        if self.idle.state().phase == "warning":
            if self.idle.extend() and isinstance(self.screen, TimeoutWarningScreen):
                self.screen.dismiss(None)
        else:
            self.idle.touch()

    def check_time_limit(self) -> None:
        """Once a second (and from tests): warn before the end, end when the time is up."""
        systemd.notify_watchdog()
        if self.runtime.helper.lock_if_quiet(self.settings.helper_quiet_s):
            self.helper_changed()
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
        signin = runtime.visit.signin
        token = self._forget_visit()
        practice = runtime.end_practice()
        if token is not None or practice is not None:
            self.sign_out(signin, token, practice)
        runtime.output.set_volume(DEFAULT_VOLUME)
        # What a preference card set was this visit's only.
        runtime.voice.enabled = self.settings.speech
        self.idle.timeout_s = self.settings.idle_timeout_s
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
        visiting = runtime.session.active
        tally, self._tally = self._tally, None
        if visiting and tally is not None:
            tally.helped(runtime.helper.active_staff is not None)
            count_visit(runtime.settings.state_dir, runtime.clock.now(), tally,
                        runtime.session.prefs.language)
        runtime.session.wipe()
        runtime.voice.reset()
        runtime.helper.lock()
        if visiting:  # a visit's end is recorded once, however many ways lead here
            runtime.audit.citizen_event("visit_end")
        return token

    @work(thread=True, exit_on_error=False, group="sign-out")
    def sign_out(self, signin: DeviceSignIn, token: str | None,
                 practice: PracticeService | None) -> None:
        """Sign-out at the visit's service, off the UI thread; a failure leaves a short-lived
        token to expire on its own (signin.revoke logs that, without the token). A practice
        visit's service is stopped after it."""
        try:
            if token is not None:
                signin.revoke(token)
        finally:
            if practice is not None:
                practice.close()

    async def _back_to_idle(self) -> None:
        # Old views and dialogs hold personal text: remove every one, and the frame with them
        # (a screen keeps subscribers of the widgets it showed, e.g. every text field's, and
        # with them what was typed), then show a new frame with a new idle view.
        while self.screen is not self.frame and len(self.screen_stack) > 2:
            await self.pop_screen()
        if not self.frame.is_attached:
            return  # the kiosk is shutting down (SIGTERM): nothing more to show
        self.frame = FrameScreen(self.l10n, card=self.settings.printer_device is not None)
        await self.switch_screen(self.frame)
        await self.flow.push(IdleView())
        # Only now: taking the old views down still measures and styles their text.
        clear_display_caches()

    def _handle_exception(self, error: Exception) -> None:
        """Any unexpected error: end the visit at once (wipe, revoke), log where it happened
        without any value, leave a calm line instead of a traceback on the screen, and exit
        non-zero so systemd starts a fresh kiosk."""
        signin = self.runtime.visit.signin if self.ready else None
        token = self._forget_visit() if self.ready else None
        practice = self.runtime.end_practice() if self.ready else None
        log.error("unexpected error, the kiosk restarts: %s", describe(error))
        if signin is not None and token is not None:
            signin.revoke(token)
        if practice is not None:
            practice.close()
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
        if self.ready:
            self.end_session()
        self.exit()
