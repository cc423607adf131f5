"""Did I hear you right? Asked before a spoken answer does something that cannot be taken back
(sending a booking, ending the visit): a speech recognizer can mistake a cough for a command,
so what it heard is said back and needs a yes (spoken, a key or a touch) before it acts.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button

from kiosk.screens.base import KioskModal
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


class VoiceConfirmScreen(KioskModal):
    """Dismisses with True (yes, do it) or False (no, or closed)."""

    CSS_PATH = "voice_confirm.tcss"

    def __init__(self, heard: str, *, private: bool = False) -> None:
        super().__init__()
        self.heard = heard
        """What the kiosk understood, as the tile that it would press says it (or the words
        it wrote down)."""
        self.private = private
        """A dictated message is personal: read back only into a headset."""

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        shown = l10n.display
        with Vertical(id="body"):
            yield Say(l10n.format("You said: {heard}. Is that right? Say yes or no.",
                                  heard=self.heard), shown, classes="title", id="heard")
            yield Grid(*shown.row([
                BigButton(1, l10n.gettext("Yes"), shown, value="yes", id="voice-yes"),
                BigButton(2, l10n.gettext("No"), shown, value="no", id="voice-no")]),
                classes="tiles")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, BigButton):
            event.stop()
            self.dismiss(event.button.value == "yes")

    def action_close(self) -> None:
        self.dismiss(False)
