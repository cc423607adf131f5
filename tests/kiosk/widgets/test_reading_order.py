"""Right-to-left text that wraps: shaped as a whole, wrapped by Textual in logical order, and
only then each drawn line put in visual order, so a paragraph starts on its first line and every
line reads from the right. What is spoken stays the text as written."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region

from kiosk.themes import DEFAULT_THEME
from kiosk.widgets import big_button
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.caption import CaptionLine
from kiosk.widgets.reading_order import drawn
from kiosk.widgets.say import Say
from translations.display import LTR, RTL

WORDS = ("واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة")
"""One to ten in Arabic, in reading order: every word different, so each can be found."""
PARAGRAPH = " ".join(WORDS)


class Paragraphs(App[None]):
    CSS_PATH = Path(big_button.__file__).with_suffix(".tcss")
    CSS = """
    #column { width: 24; }
    .rtl { text-align: right; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_theme(DEFAULT_THEME)
        self.theme = "default"

    def compose(self) -> ComposeResult:
        with Vertical(id="column"):
            yield Say(PARAGRAPH, RTL, id="paragraph", classes="rtl")
            yield BigButton(1, PARAGRAPH, RTL, id="tile")
            yield CaptionLine(RTL, id="caption")


def drawn_lines(app: App[None], region: Region) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


def read_right_to_left(line: str) -> list[str]:
    """The words of a drawn line as a reader takes them: from the right, each word's letters
    from the right."""
    return [word[::-1] for word in reversed(line.split())]


async def test_a_wrapped_paragraph_reads_from_its_first_line_each_line_from_the_right() -> None:
    app = Paragraphs()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        paragraph = app.query_one("#paragraph", Say)
        lines = [line for line in drawn_lines(app, paragraph.content_region) if line.strip()]
        assert len(lines) > 1, "the paragraph must wrap for this test to mean anything"
        read = [word for line in lines for word in read_right_to_left(line)]
        # Every word in its joined forms, in reading order from the first line to the last.
        assert read == [RTL.shape(word) for word in WORDS]
        # Each line keeps to the right, where reading starts.
        assert all(line == line.rstrip() for line in lines)
        # Spoken as written: logical order, letters unshaped.
        assert paragraph.spoken == PARAGRAPH


async def test_a_tile_too_narrow_for_its_label_shows_its_beginning_beside_the_key() -> None:
    app = Paragraphs()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        tile = app.query_one("#tile", BigButton)
        [line] = [line for line in drawn_lines(app, tile.content_region) if line.strip()]
        assert line.rstrip().endswith(" 1"), "the key stands where reading starts (right)"
        words = read_right_to_left(line.rsplit(" 1", 1)[0])
        assert words == [RTL.shape(word) for word in WORDS[:len(words)]] and words
        assert tile.spoken == f"1 {PARAGRAPH}"


async def test_a_caption_of_speech_is_drawn_in_reading_order_too() -> None:
    app = Paragraphs()
    async with app.run_test(size=(40, 20)) as pilot:
        caption = app.query_one("#caption", CaptionLine)
        caption.show(f"♪ {PARAGRAPH}")
        await pilot.pause()
        first = drawn_lines(app, caption.content_region)[0]
        assert read_right_to_left(first)[:2] == ["♪", RTL.shape(WORDS[0])]


def test_text_that_needs_no_ordering_is_drawn_as_it_is() -> None:
    assert drawn("Book a new appointment", LTR) == "Book a new appointment"
    assert drawn("Book a new appointment", RTL) != "Book a new appointment"
