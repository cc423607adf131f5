"""The timeout warning: shown, spoken and sounded before an idle session ends (WCAG 2.2.1).

Any key or click extends the session once (the app counts extensions); when none are left, the
dialog says so and the countdown runs out.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical

from kiosk.idle import IdleState
from kiosk.screens.base import KioskModal
from kiosk.widgets.say import Say


class TimeoutWarningScreen(KioskModal):
    """Counts down; the app dismisses it when the citizen asks for more time."""

    CSS_PATH = "timeout_warning.tcss"
    BINDINGS = []  # noqa: RUF012 (every key means "more time", handled by the app)

    def __init__(self, state: IdleState) -> None:
        super().__init__()
        self.state = state

    def texts(self) -> tuple[str, str]:
        l10n = self.l10n
        countdown = l10n.nformat(
            "Are you still there? Your visit ends in {count} second, and what you entered "
            "will be deleted.",
            "Are you still there? Your visit ends in {count} seconds, and what you entered "
            "will be deleted.", self.state.seconds_left,
        )
        if self.state.extensions_left > 0:
            hint = l10n.gettext("Press any key or touch the screen to get more time.")
        else:
            hint = l10n.gettext("You cannot get more time. Please ask staff for help.")
        return countdown, hint

    def compose(self) -> ComposeResult:
        countdown, hint = self.texts()
        shown = self.l10n.display
        with Vertical(id="body"):
            yield Say(countdown, shown, classes="title", id="countdown")
            yield Say(hint, shown, id="extend-hint")

    def update_state(self, state: IdleState) -> None:
        """A tick: show the new number of seconds (spoken only once, when first shown)."""
        self.state = state
        countdown, hint = self.texts()
        self.query_one("#countdown", Say).say(countdown)
        self.query_one("#extend-hint", Say).say(hint)

    def on_key(self, event: events.Key) -> None:
        # The app has already used this key to extend the session; nothing else may act on it.
        event.stop()
        event.prevent_default()

    def on_click(self, event: events.Click) -> None:
        event.stop()
