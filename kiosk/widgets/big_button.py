"""A big numbered tile: the kiosk's only kind of button for answers (WCAG 2.5.8 target size).

The number is shown on the tile and is the key that presses it; ``spoken`` is exactly the text
the tile shows (in logical order, as written), so screens can speak what they show. The number
stands where reading starts: to the left of the label in a left-to-right language, to the right
in a right-to-left one.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widgets import Button

from kiosk.widgets.reading_order import ReadingOrder
from translations.display import LTR, Display


class BigButton(Button):
    """A tile at least 3 rows high and 20 columns wide, with its number key shown."""

    def __init__(
        self, number: int | None, text: str, shown: Display = LTR, *, value: str = "",
        id: str | None = None,
    ) -> None:
        self.number = number
        self.text = text
        self.value = value
        """What the tile stands for (a choice id, an option id, a language code)."""
        lead = Content() if number is None else Content.assemble(
            *shown.row([Content.styled(f" {number} ", "reverse bold"), Content(" ")]))
        # The label as one row, which is how Button measures it; what is drawn is the label
        # wrapped first and then ordered, when its text needs ordering.
        label = Content.assemble(*shown.row([lead, Content(shown.show(text))]))
        self._reading = ReadingOrder(text, shown, lead) if shown.reorders(text) else None
        super().__init__(label, id=id, classes=f"big-button {shown.css_class}")

    def render(self) -> RenderResult:
        return self._reading if self._reading is not None else super().render()

    @property
    def spoken(self) -> str:
        return f"{self.number} {self.text}" if self.number is not None else self.text
