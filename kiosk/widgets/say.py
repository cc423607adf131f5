"""Say: a paragraph of screen text that screens also speak, word for word."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.widgets.reading_order import drawn
from translations.display import LTR, Display


class Say(Static):
    """Plain text (never markup: guide and backend text is shown as is) that is also spoken.

    ``text`` is kept in logical order (it is what is spoken); the paragraph draws it through the
    language's ``Display``, wrapped before it is ordered (kiosk/widgets/reading_order.py)."""

    def __init__(self, text: str, shown: Display = LTR, *, id: str | None = None,
                 classes: str | None = None, spoken: str | None = None) -> None:
        self.text = text
        self.shown = shown
        self._spoken = spoken
        """Said differently from how it is drawn (a code spelled letter by letter), if set."""
        super().__init__(drawn(text, shown), id=id, classes=classes, markup=False)

    @property
    def spoken(self) -> str:
        return self._spoken if self._spoken is not None else self.text

    def say(self, text: str) -> None:
        """Change the text (e.g. an error message appearing under a field)."""
        self.text, self._spoken = text, None
        self.update(drawn(text, self.shown))
