"""The idle screen: what the kiosk is, how to start, and how long a pause may last (WCAG 2.2.6)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


def idle_notice(l10n: object, timeout_s: int) -> str:
    """The up-front notice of the idle time limit, in minutes when whole, else in seconds."""
    if timeout_s % 60 == 0:
        return l10n.format(  # type: ignore[attr-defined, no-any-return]
            "If you do nothing for {minutes} minutes, the kiosk ends your visit and deletes "
            "what you entered. It warns you first, and you can ask for more time.",
            minutes=timeout_s // 60,
        )
    return l10n.format(  # type: ignore[attr-defined, no-any-return]
        "If you do nothing for {seconds} seconds, the kiosk ends your visit and deletes "
        "what you entered. It warns you first, and you can ask for more time.",
        seconds=timeout_s,
    )


class IdleScreen(KioskScreen):
    """Waiting for the next citizen. Any press of Start begins a session."""

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
        yield BigButton(1, l10n.gettext("Start"), id="start")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            event.stop()
            self.app.start_session()  # type: ignore[attr-defined]

    def go_back(self) -> None:
        """Nothing to go back to."""
