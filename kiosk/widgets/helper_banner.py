"""The helper banner: while a staff member has helper mode on, every screen says who, and offers
to lock it again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from kiosk.widgets.reading_order import drawn
from translations.catalog import Localizer


class HelperBanner(Horizontal):
    """Hidden unless a staff member's name is shown; then their name and a Lock button."""

    def compose(self) -> ComposeResult:
        yield Static(id="helper-text", markup=False)
        yield Button("", id="helper-lock", action="app.lock_helper", compact=True)

    def on_mount(self) -> None:
        self.display = False

    def show(self, staff: str | None, l10n: Localizer) -> None:
        """Name the staff member helping (None: helper mode is off, the banner goes)."""
        self.display = staff is not None
        if staff is not None:
            text = l10n.format("A staff member is helping you: {name}", name=staff)
            self.query_one("#helper-text", Static).update(drawn(text, l10n.display))
            self.query_one("#helper-lock", Button).label = l10n.display.show(
                l10n.gettext("Lock"))
