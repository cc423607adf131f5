"""The one display path: text and the pieces beside it in the reading order of the language."""

from __future__ import annotations

from translations.display import LTR, RTL

ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # "marhaban", five letters in logical order


def test_left_to_right_text_is_drawn_as_written() -> None:
    assert LTR.show("Book a new appointment") == "Book a new appointment"
    assert LTR.row(["1", "Book"]) == ["1", "Book"]
    assert LTR.grid(["a", "b", "c"], 2) == ["a", "b", "c"]
    assert LTR.css_class == "ltr"


def test_right_to_left_text_is_drawn_in_visual_order_keeping_numbers() -> None:
    drawn = RTL.show(f"{ARABIC} 10:15")
    # The letters run right to left; the time keeps its own order, at the line's end (left).
    assert drawn == f"10:15 {ARABIC[::-1]}"
    assert RTL.show(f"{ARABIC}\nabc") == f"{ARABIC[::-1]}\nabc"
    assert RTL.css_class == "rtl"


def test_right_to_left_pieces_and_grids_are_mirrored() -> None:
    assert RTL.row(["1", "label"]) == ["label", "1"]
    assert RTL.grid(["one", "two", "three"], 2) == ["two", "one", None, "three"]
    assert RTL.grid(["one", "two"], 1) == ["one", "two"]


def test_parts_of_a_line_join_in_reading_order() -> None:
    assert LTR.joined(["Tuesday 3 December at 10:15", "", "by video"]) == \
        "Tuesday 3 December at 10:15, by video"
