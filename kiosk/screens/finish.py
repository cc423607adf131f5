"""The finish screen: what was done, in words, and how the visit ends (everything is deleted)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


class FinishScreen(KioskScreen):
    """The guide's finish text; Done (or End, or the idle timeout) wipes the session."""

    CSS_PATH = "finish.tcss"

    def __init__(self, heading: Callable[[], tuple[str, str]], *, private: bool = False) -> None:
        super().__init__()
        self.heading = heading
        """Gives the finish text and its help in the current language (rebuilt on a switch)."""
        self.private = private

    @property
    def text(self) -> str:
        return self.heading()[0]

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        text, help_text = self.heading()
        yield Say(text, classes="title", id="finish-text")
        if help_text:
            yield Say(help_text, id="finish-help")
        yield Say(l10n.gettext("When you press Done, the kiosk forgets everything about your "
                               "visit."), classes="muted")
        yield BigButton(1, l10n.gettext("Done"), id="done")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "done":
            event.stop()
            self.app.end_session()  # type: ignore[attr-defined]

    def go_back(self) -> None:
        """The task is done; going back would repeat it."""
