"""The idle screen: what the kiosk is, how to start, and how long a pause may last (WCAG 2.2.6)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


def idle_notice(l10n: object, timeout_s: int) -> str:
    """The up-front notice of the idle time limit, in minutes when whole, else in seconds."""
    if timeout_s % 60 == 0:
        return l10n.nformat(  # type: ignore[attr-defined]
            "If you do nothing for {count} minute, the kiosk ends your visit and deletes "
            "what you entered. It warns you first, and you can ask for more time.",
            "If you do nothing for {count} minutes, the kiosk ends your visit and deletes "
            "what you entered. It warns you first, and you can ask for more time.",
            timeout_s // 60,
        )
    return l10n.nformat(  # type: ignore[attr-defined]
        "If you do nothing for {count} second, the kiosk ends your visit and deletes "
        "what you entered. It warns you first, and you can ask for more time.",
        "If you do nothing for {count} seconds, the kiosk ends your visit and deletes "
        "what you entered. It warns you first, and you can ask for more time.",
        timeout_s,
    )


# Keys that keep their own meaning on the idle screen: staff help, repeat, text size, contrast,
# end, moving focus, and the number keys bound to buttons.
_OWN_MEANING = frozenset({"f1", "f2", "f3", "f4", "f10", "tab", "shift+tab", "up", "down",
                          "left", "right", "escape", "backspace", *"123456789"})


class IdleScreen(KioskScreen):
    """Waiting for the next citizen. Any key, any touch or Start begins a session."""

    CSS_PATH = "idle.tcss"

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        yield Say(l10n.gettext("Welcome to the health kiosk"), classes="title", id="idle-title")
        yield Say(l10n.gettext("Here you can book, move or cancel an appointment at your GP "
                               "office. Staff can help you."))
        yield Say(idle_notice(l10n, self.app.runtime.settings.idle_timeout_s),  # type: ignore[attr-defined]
                  id="idle-notice", classes="muted")
        if self.app.runtime.speech_problem:  # type: ignore[attr-defined]
            yield Say(l10n.gettext("Speech is not working right now. Everything is shown on "
                                   "the screen."), id="speech-problem", classes="muted")
        yield Say(l10n.gettext("Touch the screen or press any key to start."), id="idle-start-hint")
        yield BigButton(1, l10n.gettext("Start"), id="start")

    def on_key(self, event: events.Key) -> None:
        key = event.key
        is_function_key = key[:1] == "f" and key[1:].isdigit()
        if key in _OWN_MEANING or is_function_key or key.startswith("ctrl+"):
            return
        event.stop()
        event.prevent_default()
        self.app.start_session()  # type: ignore[attr-defined]

    def on_click(self, event: events.Click) -> None:
        # Buttons (Start, the help bar) stop their own clicks; any other touch starts.
        event.stop()
        self.app.start_session()  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            event.stop()
            self.app.start_session()  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        # The Welcome screen is the next citizen's: whoever reaches it with a visit still open
        # (any way back that forgot to end it) ends that visit first.
        session = self.app.runtime.session  # type: ignore[attr-defined]
        if session.active or session.signed_in:
            self.app.end_session()  # type: ignore[attr-defined]
            return
        super().on_screen_resume()

    def go_back(self) -> None:
        """Nothing to go back to."""
