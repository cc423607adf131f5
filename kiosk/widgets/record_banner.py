"""The record banner: while the citizen acts for someone else, every screen names whose health
record is open, so nobody books or reads in the wrong person's name by mistake."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.widgets.reading_order import drawn
from translations.catalog import Localizer


class RecordBanner(Static):
    """Hidden unless it is given a name; then it says whose record is open."""

    def __init__(self) -> None:
        super().__init__("", markup=False, id="record-banner")
        self.display = False

    def show(self, name: str | None, l10n: Localizer) -> None:
        """Name the person whose record the citizen uses (None: their own; the banner goes)."""
        self.display = name is not None
        if name is not None:
            text = l10n.format("You are using the health record of: {name}", name=name)
            self.update(drawn(text, l10n.display))
