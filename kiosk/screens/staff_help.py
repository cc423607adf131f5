"""Get staff help: tells the citizen staff will come, and lets staff unlock helper mode with a PIN.

The PIN field is masked, never spoken (it is not part of the screen's text) and never logged.
"""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button, Input

from helper_mode.staff import LockedOut
from kiosk.screens.base import KioskModal
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


class StaffHelpScreen(KioskModal):
    """Dismisses with True when helper mode was unlocked, else None."""

    CSS_PATH = "staff_help.tcss"

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        shown = l10n.display
        with Vertical(id="body"):
            yield Say(l10n.gettext("A staff member will help you."), shown, classes="title")
            yield Say(l10n.gettext("Staff: type your PIN to turn on helper mode."), shown,
                      classes="muted")
            yield Input(id="pin", password=True, restrict=r"[0-9]*", max_length=8)
            problem = Say("", shown, classes="error", id="pin-error")
            problem.display = False
            yield problem
            yield Grid(*shown.row([BigButton(None, l10n.gettext("Unlock"), shown, id="unlock"),
                                   BigButton(None, l10n.gettext("Close"), shown, id="close")]),
                       classes="tiles")

    def on_mount(self) -> None:
        # Not query_one: a dialog closed before it was up (F1, then Back at once) has no
        # children left by the time it is mounted.
        for field in self.query("#pin"):
            field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.try_unlock()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "unlock":
            event.stop()
            self.try_unlock()
        elif event.button.id == "close":
            event.stop()
            self.dismiss(None)

    def try_unlock(self) -> None:
        field = self.query_one("#pin", Input)
        pin = field.value
        # The PIN leaves the screen at once, right or wrong.
        field.value = ""
        try:
            unlocked = self.host.runtime.helper.unlock(pin)
        except LockedOut as exc:
            self.show_problem(self.l10n.nformat(
                "Too many wrong PINs. Try again in {count} second.",
                "Too many wrong PINs. Try again in {count} seconds.",
                math.ceil(exc.seconds_left)))
            return
        if unlocked:
            self.dismiss(True)
        else:
            self.show_problem(self.l10n.gettext("That PIN is not right. Try again."))

    def show_problem(self, text: str) -> None:
        problem = self.query_one("#pin-error", Say)
        problem.say(text)
        problem.display = True
        self.speak()
