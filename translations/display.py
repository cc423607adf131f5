"""The one way text reaches the screen: in the order and alignment its language reads.

Every text a screen draws passes ``Display.show``; what the kiosk speaks is the same text in
logical order (speech reads logical text). A terminal draws cells from left to right, so text
of a right-to-left language (Arabic, Urdu, Persian) is put in visual order with the Unicode
bidirectional algorithm (python-bidi); a run of digits or Latin letters inside it keeps its own
direction. Pieces a widget puts side by side (a number key and its label, a key name after its
label, the items of a line) are placed in the language's reading order by ``row``, and
``css_class`` names the direction for the stylesheets (alignment, mirrored layouts).

No Textual here: widgets and screens ask a ``Display`` how to lay text out; the engine and the
tests can ask it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

Direction = Literal["ltr", "rtl"]
T = TypeVar("T")


@dataclass(frozen=True)
class Display:
    """How text of one language is drawn."""

    direction: Direction = "ltr"

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def css_class(self) -> str:
        """"rtl" or "ltr": the class a screen carries so its stylesheet can mirror it."""
        return self.direction

    def show(self, text: str) -> str:
        """Text in the order the terminal must draw it, line by line."""
        if not self.rtl or not text:
            return text
        # Imported on first use: only a right-to-left language needs it.
        from bidi import get_display

        return "\n".join(get_display(line, base_dir="R") for line in text.split("\n"))

    def row(self, pieces: Sequence[T]) -> list[T]:
        """Pieces given in reading order (first read first), in the order to draw them from
        left to right."""
        return list(reversed(pieces)) if self.rtl else list(pieces)

    def grid(self, cells: Sequence[T], columns: int) -> list[T | None]:
        """Cells in reading order, in the order a left-to-right grid of ``columns`` is filled
        so that each row reads in this language's direction (for right-to-left the first cell
        is at the right of the first row). None is an empty place: a short last row keeps to
        the side where reading starts."""
        if not self.rtl or columns <= 1:
            return list(cells)
        drawn: list[T | None] = []
        for start in range(0, len(cells), columns):
            row: list[T | None] = list(cells[start:start + columns])
            drawn.extend([None] * (columns - len(row)) + row[::-1])
        return drawn

    def joined(self, parts: Sequence[str], separator: str = ", ") -> str:
        """Parts of one line of text, in reading order, as logical text (speak it as it is,
        ``show`` it to draw it)."""
        return separator.join(p for p in parts if p)


LTR = Display("ltr")
RTL = Display("rtl")
