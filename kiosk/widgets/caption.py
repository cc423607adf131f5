"""The caption line: every sound the kiosk makes also appears as text (EN 5.1.5)."""

from __future__ import annotations

from textual.widgets import Static


class CaptionLine(Static):
    """One line above the help bar saying what is being heard (speech, the warning tone)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show(self, text: str) -> None:
        self.update(text)
