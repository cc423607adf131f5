"""Text that may wrap, drawn in reading order: shaped, wrapped by Textual, then ordered per line.

Textual wraps a widget's text to the width it gets, and knows no bidirectional text. Handing it
text already put in visual order would wrap it from its logical end: a right-to-left paragraph
would start on its last line. So ``ReadingOrder`` is a Textual Visual that, at the width it is
drawn, wraps the *logical* text (shaped by translations.display, so letter forms never depend
on where a line breaks) with Textual's own wrapping, and only then puts each line in visual
order (``Display.order``). Textual then draws the lines as they are, aligned by the
stylesheet (right-aligned in a right-to-left language).

A ``lead`` (a tile's number key) is drawn where reading starts on the first line, and the lines
under it keep clear of it.

``drawn`` gives a widget what to draw for a text: the text itself when nothing in it needs
ordering (left-to-right text is drawn exactly as Textual always drew it), else a
``ReadingOrder``.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from translations.display import Display


class ReadingOrder(Visual):
    """Logical text, wrapped and then ordered line by line for one language's Display."""

    def __init__(self, text: str, shown: Display, lead: Content | None = None) -> None:
        self.shown = shown
        self.shaped = Content(shown.shape(text))
        """The text in logical order with its letters joined: what is wrapped."""
        self.lead = lead or Content()
        self._drawn: tuple[tuple[int, str, bool], Content] | None = None
        """The lines last drawn and the room, overflow and wrapping they were drawn for:
        layout asks again at each refresh."""

    def _lines(self, width: int, rules: RulesMap) -> Content:
        """The text wrapped to width and each line ordered, as one Content of lines that fit."""
        overflow = rules.get("text_overflow", "fold")
        wraps = rules.get("text_wrap", "wrap") != "nowrap"
        indent = self.lead.cell_length
        room = max(1, width - 2 * rules.get("line_pad", 0) - indent)
        key = (room, overflow, wraps)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        if wraps:
            wrapped = self.shaped.wrap(room, overflow=overflow)
        else:
            # Cut at the logical end (an ellipsis where the text reads last), not at the
            # right edge, which is where a right-to-left line begins.
            wrapped = [line.truncate(room, ellipsis=overflow == "ellipsis")
                       for line in self.shaped.split("\n", allow_blank=True)]
        lines: list[Content] = []
        for number, line in enumerate(wrapped or [Content()]):
            piece = Content(self.shown.order(line.plain))
            # The key stands where reading starts; the lines under it keep clear of it.
            side = self.lead if number == 0 else Content(" " * indent)
            lines.append(Content.assemble(*self.shown.row([side, piece])) if indent else piece)
        drawn = Content("\n").join(lines)
        self._drawn = (key, drawn)
        return drawn

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        return self._lines(width, options.rules).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.lead.cell_length + self.shaped.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.lead.cell_length + self.shaped.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self._lines(width, rules).plain.split("\n"))


def drawn(text: str, shown: Display) -> str | ReadingOrder:
    """What a widget draws for logical text in a language: the text as it is when it needs no
    shaping or ordering, else the text in reading order, wrapped first."""
    return ReadingOrder(text, shown) if shown.reorders(text) else text
