"""The helper banner: while a staff member has helper mode on, every screen says who, and offers
to lock it again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static


class HelperBanner(Horizontal):
    """Hidden unless helper mode is on; shows the staff member's name and a Lock button."""

    def compose(self) -> ComposeResult:
        yield Static(id="helper-text", markup=False)
        yield Button("", id="helper-lock", action="app.lock_helper", compact=True)

    def on_mount(self) -> None:
        self.sync()

    def sync(self) -> None:
        """Show or hide the banner to match the app's helper mode."""
        staff = self.app.runtime.helper.active_staff  # type: ignore[attr-defined]
        l10n = self.app.l10n  # type: ignore[attr-defined]
        self.display = staff is not None
        if staff is not None:
            self.query_one("#helper-text", Static).update(
                l10n.format("A staff member is helping you: {name}", name=staff)
            )
            self.query_one("#helper-lock", Button).label = l10n.gettext("Lock")
