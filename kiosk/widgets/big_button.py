"""A big numbered tile: the kiosk's only kind of button for answers (WCAG 2.5.8 target size).

The number is shown on the tile and is the key that presses it; ``spoken`` is exactly the text
the tile shows, so screens can speak what they show.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Button


class BigButton(Button):
    """A tile at least 3 rows high and 20 columns wide, with its number key shown."""

    def __init__(
        self, number: int | None, text: str, *, value: str = "", id: str | None = None
    ) -> None:
        self.number = number
        self.text = text
        self.value = value
        """What the tile stands for (a choice id, an option id, a language code)."""
        if number is None:
            label = Content(text)
        else:
            label = Content.assemble((f" {number} ", "reverse bold"), " ", text)
        super().__init__(label, id=id, classes="big-button")

    @property
    def spoken(self) -> str:
        return f"{self.number} {self.text}" if self.number is not None else self.text
