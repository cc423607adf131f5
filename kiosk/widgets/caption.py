"""The caption line: every sound the kiosk makes also appears as text (EN 5.1.5)."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.widgets.reading_order import drawn
from translations.display import LTR, Display


class CaptionLine(Static):
    """One line above the help bar saying what is being heard (speech, the warning tone).

    It is given the text as spoken (logical order) and draws it through the language's
    ``Display``, which the frame sets whenever the language changes."""

    def __init__(self, shown: Display = LTR, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.shown = shown

    def show(self, text: str) -> None:
        self.update(drawn(text, self.shown))
