"""The one way text reaches the screen: in the order, the letter forms and the alignment its
language reads.

Every text a screen draws passes a ``Display``; what the kiosk speaks is the same text in
logical order with its letters as written (speech reads logical text, never what is drawn). A
terminal draws cells from left to right, one character a cell, and has no Arabic shaping: so
for right-to-left text (Arabic, Urdu, Persian) two things happen, in this order:

1. ``shape``: Arabic letters become the presentation forms that join them to their neighbours
   (arabic-reshaper), still in logical order. This is done on the whole text, before wrapping:
   a letter's form depends only on the letters beside it, and lines break between words, so the
   forms are the same however the text is wrapped.
2. ``order``: each *drawn line* is put in visual order with the Unicode bidirectional
   algorithm (python-bidi), in the language's base direction; a run of digits or Latin letters
   keeps its own left-to-right order ("72.5" stays "72.5").

Ordering must come after wrapping, never before: reordering a whole paragraph and letting the
widget wrap the result would break it from its logical end (the first line drawn would hold the
last words). Textual wraps text itself and knows nothing of bidi, so a widget that may wrap
(kiosk/widgets/reading_order.py) wraps the shaped logical text with Textual's own wrapping at
the width it is drawn, then orders each line here. ``show`` does both steps at once for text
drawn as it is, one line per line of text (a label in one row).

Text of a left-to-right language is drawn as it is, unless it holds right-to-left letters (a
citizen's Arabic name in a Norwegian sentence): that is shaped and ordered the same way, in a
left-to-right base direction. Pieces a widget puts side by side (a number key and its label, a
key name after its label, the items of a line) are placed in the language's reading order by
``row``, and ``css_class`` names the direction for the stylesheets (alignment, mirrored layouts).

No Textual here: widgets and screens ask a ``Display`` how to lay text out; the engine and the
tests can ask it too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeVar

Direction = Literal["ltr", "rtl"]
T = TypeVar("T")

_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
"""Hebrew, Arabic (with its supplements and extensions) and their presentation forms: the
letters that make a text need the bidirectional algorithm."""
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
"""Letters arabic-reshaper joins (Arabic, Persian and Urdu letters, in logical form)."""


@cache
def _reshaper() -> Any:
    """One reshaper, with the settings that matter given here (over any configuration file the
    environment names): vowel marks (harakat) are dropped from what is drawn, because a terminal
    cell cannot stack a mark on a presentation form; the lam-alef ligatures a reader expects
    are kept."""
    from arabic_reshaper import ArabicReshaper

    return ArabicReshaper(configuration={"delete_harakat": True, "support_ligatures": True})


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

    def reorders(self, text: str) -> bool:
        """True when text is not drawn exactly as it is written (shaped or reordered)."""
        return self.rtl or _RIGHT_TO_LEFT.search(text) is not None

    def shape(self, text: str) -> str:
        """Arabic letters in the forms that join them, still in logical order: the text to wrap
        into lines before each line is ordered."""
        if _ARABIC.search(text) is None:
            return text
        return _reshaper().reshape(text)

    def order(self, line: str) -> str:
        """One drawn line (already shaped, already wrapped) in the order the terminal draws
        it from left to right."""
        if not self.reorders(line):
            return line
        # Imported on first use: only right-to-left text needs it.
        from bidi import get_display

        return str(get_display(line, base_dir="R" if self.rtl else "L"))

    def show(self, text: str) -> str:
        """Text drawn as it is, each of its lines one drawn line: shaped, then each line in
        the order the terminal draws it."""
        if not text or not self.reorders(text):
            return text
        return "\n".join(self.order(line) for line in self.shape(text).split("\n"))

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
