"""The error dialog: what went wrong with a service and what to do next, on screen and spoken,
with "Try again" (or "Sign in again" when the sign-in ran out) and "Get staff help". The screen
below keeps every answer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button

from kiosk.screens.base import KioskModal
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say
from translations.catalog import N_

TRY_AGAIN = N_("Try again")
SIGN_IN_AGAIN = N_("Sign in again")


class ErrorScreen(KioskModal):
    """Dismisses with "retry", "help" or None (Esc)."""

    CSS_PATH = "error.tcss"

    def __init__(self, message: str, retry_label: str = TRY_AGAIN) -> None:
        super().__init__()
        self.message = message
        self.retry_label = retry_label
        """A msgid: what trying again means here."""

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        with Vertical(id="body"):
            yield Say(self.message, classes="error", id="error-message")
            with Grid(classes="tiles"):
                yield BigButton(1, l10n.gettext(self.retry_label), value="retry", id="retry")
                yield BigButton(2, l10n.gettext("Get staff help"), value="help", id="error-help")

    def on_mount(self) -> None:
        for tile in self.query("#retry"):
            tile.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, BigButton):
            event.stop()
            self.dismiss(event.button.value)
