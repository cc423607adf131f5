"""Get staff help: the call for staff (opened, the app has called and chimed) says help is on
the way and, honestly, how far the message to the staff got; "Cancel the call" ends it in one
press. Staff unlock helper mode here with a PIN, or start a practice visit with it.

The PIN field is masked, never spoken (it is not part of the screen's text) and never logged.
"""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.timer import Timer
from textual.widgets import Button, Input

from helper_mode.call_staff import CallState
from helper_mode.staff import MAX_CODE_CHARS, LockedOut
from kiosk.messages import Announce
from kiosk.screens.base import KioskModal
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say
from translations.catalog import N_

HELP_ON_THE_WAY = N_("Help is on the way.")
CANCEL_CALL = N_("Cancel the call")
PRACTICE_VISIT = N_("Start a practice visit")
CALL_STATUS: dict[str, str] = {
    # No webhook: nothing is sent, and the screen must not suggest otherwise.
    "local": N_("This kiosk sends no message to the staff. A staff member will come when they "
                "see you."),
    "sending": N_("Sending a message to the staff."),
    "retrying": N_("The message has not reached the staff yet. The kiosk keeps trying."),
    "delivered": N_("Staff have been notified."),
    "failed": N_("The message could not reach the staff. Please ask someone who works here."),
}
QUIET_POLL_S = 0.1
QUIET_POLLS = 300
"""A new status waits for the speech before it to end, for at most 30 seconds."""


class StaffHelpScreen(KioskModal):
    """Dismisses with "unlocked" when helper mode was unlocked, "practice" when a staff member
    asked for a practice visit with their PIN, "cancelled" when the citizen cancelled the call,
    else None. ``wait_s``: the chime rings that long, speech comes after."""

    CSS_PATH = "staff_help.tcss"

    def __init__(self, wait_s: float = 0.0) -> None:
        super().__init__()
        self.wait_s = wait_s
        self._spoken = False
        """Whether the whole dialog has been spoken: a new status is then said on its own."""
        self._chime_timer: Timer | None = None
        self._status_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        shown = l10n.display
        state = self.host.runtime.staff_call.state
        with Vertical(id="body"):
            yield Say(l10n.gettext(HELP_ON_THE_WAY), shown, classes="title")
            status = Say(self._status(state), shown, id="call-status")
            status.display = bool(status.text)
            yield status
            cancel = BigButton(None, l10n.gettext(CANCEL_CALL), shown, id="cancel-call")
            cancel.display = state != "none"
            yield Grid(*shown.row([cancel,
                                   BigButton(None, l10n.gettext("Close"), shown, id="close")]),
                       classes="tiles")
            yield Say(l10n.gettext("Staff: type your PIN to turn on helper mode."), shown,
                      classes="muted")
            # A PIN, or a badge code: a badge scanner types letters, digits and signs here
            # like a keyboard, and Enter.
            yield Input(id="pin", password=True, restrict=r"[!-~]*", max_length=MAX_CODE_CHARS)
            problem = Say("", shown, classes="error", id="pin-error")
            problem.display = False
            yield problem
            yield Grid(*shown.row([
                BigButton(None, l10n.gettext("Unlock"), shown, id="unlock"),
                BigButton(None, l10n.gettext(PRACTICE_VISIT), shown, id="practice")]),
                classes="tiles")

    def on_mount(self) -> None:
        # Not query_one: a dialog closed before it was up (F1, then Back at once) has no
        # children left by the time it is mounted.
        for field in self.query("#pin"):
            field.focus()

    def speak(self) -> None:
        # The chime first: speech would cut it off.
        wait, self.wait_s = self.wait_s, 0.0
        if wait > 0:
            self._chime_timer = self.set_timer(wait, self._after_chime)
            return
        if self._chime_timer is not None:
            self._chime_timer.stop()  # spoken already (a wrong PIN): not twice
            self._chime_timer = None
        self._spoken = True
        super().speak()

    def _after_chime(self) -> None:
        self._chime_timer = None
        self.speak()

    def _status(self, state: CallState) -> str:
        msgid = CALL_STATUS.get(state)
        return self.l10n.gettext(msgid) if msgid is not None else ""

    def show_call(self, state: CallState) -> None:
        """The call's state changed: show it, and say it once what is being said has ended
        (before the dialog is first spoken, that reading includes it)."""
        text = self._status(state)
        for status in self.query("#call-status").results(Say):
            status.say(text)
            status.display = bool(text)
        for cancel in self.query("#cancel-call"):
            cancel.display = state != "none"
        if self._status_timer is not None:
            self._status_timer.stop()
            self._status_timer = None
        if self._spoken and text:
            self._say_when_quiet(text, QUIET_POLLS)

    def _say_when_quiet(self, text: str, polls: int) -> None:
        if polls > 0 and not self.host.runtime.voice.wait_idle(0):
            self._status_timer = self.set_timer(
                QUIET_POLL_S, lambda: self._say_when_quiet(text, polls - 1))
            return
        self._status_timer = None
        self.post_message(Announce(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.try_unlock()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("unlock", "practice"):
            event.stop()
            self.try_unlock("practice" if event.button.id == "practice" else "unlocked")
        elif event.button.id == "cancel-call":
            event.stop()
            self.dismiss("cancelled")
        elif event.button.id == "close":
            event.stop()
            self.dismiss(None)

    def try_unlock(self, then: str = "unlocked") -> None:
        """Check the PIN; a right one closes the dialog with ``then`` (helper mode is on, or
        "practice": the staff member starts a practice visit)."""
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
            self.dismiss(then)
        else:
            self.show_problem(self.l10n.gettext("That PIN is not right. Try again."))

    def show_problem(self, text: str) -> None:
        problem = self.query_one("#pin-error", Say)
        problem.say(text)
        problem.display = True
        self.speak()
