"""The one display path: text and the pieces beside it in the reading order of the language,
Arabic letters joined in the forms a terminal can draw."""

from __future__ import annotations

from translations.display import LTR, RTL

ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # "marhaban", five letters in logical order
JOINED = "\ufee3\ufeae\ufea3\ufe92\ufe8e"
"""The same word in presentation forms, still in logical order: initial meem, final reh (reh
never joins the letter after it), initial hah, medial beh, final alef."""


def test_left_to_right_text_is_drawn_as_written() -> None:
    assert LTR.show("Book a new appointment") == "Book a new appointment"
    assert not LTR.reorders("Book a new appointment")
    assert LTR.row(["1", "Book"]) == ["1", "Book"]
    assert LTR.grid(["a", "b", "c"], 2) == ["a", "b", "c"]
    assert LTR.css_class == "ltr"


def test_an_arabic_word_is_joined_and_drawn_right_to_left() -> None:
    assert RTL.shape(ARABIC) == JOINED
    assert RTL.show(ARABIC) == JOINED[::-1]
    # Lam and alef become their one ligature, as an Arabic reader expects.
    assert "\ufefc" in RTL.show("\u0627\u0644\u0633\u0644\u0627\u0645")  # "as-salaam"


def test_persian_and_urdu_letters_are_joined_too() -> None:
    # Persian "pedar" (father): initial peh, medial dal is final (dal never joins on), reh.
    assert RTL.shape("\u067e\u062f\u0631") == "\ufb58\ufeaa\ufead"
    # Urdu heh goal (hospital, "haspataal") starts joined: its initial form.
    assert RTL.shape("\u06c1\u0633\u067e\u062a\u0627\u0644")[0] == "\ufba8"


def test_numbers_inside_right_to_left_text_keep_their_order() -> None:
    drawn = RTL.show(f"{ARABIC} 10:15")
    # The letters run right to left; the time keeps its own order, at the line's end (left).
    assert drawn == f"10:15 {JOINED[::-1]}"
    assert RTL.show("\u0627\u0644\u0648\u0632\u0646 72.5") == "72.5 \ufee5\ufeaf\ufeee\ufedf\ufe8d"
    # Eastern Arabic digits too: seventy-two point five reads ٧٢٫٥ left to right.
    assert RTL.show(f"{ARABIC} \u0667\u0662\u066b\u0665").startswith("\u0667\u0662\u066b\u0665 ")


def test_each_line_is_ordered_on_its_own() -> None:
    assert RTL.show(f"{ARABIC}\nabc") == f"{JOINED[::-1]}\nabc"
    assert RTL.order("abc") == "abc"
    assert RTL.css_class == "rtl"


def test_shaping_twice_changes_nothing() -> None:
    # Presentation forms are no letters the reshaper joins again: text shaped for a line is
    # never shaped wrongly by a second pass.
    assert RTL.shape(RTL.shape(ARABIC)) == JOINED


def test_arabic_inside_a_left_to_right_language_is_joined_and_ordered() -> None:
    # A citizen's Arabic name in a Norwegian sentence reads right to left inside it.
    assert LTR.reorders(f"Kari og {ARABIC}")
    assert LTR.show(f"Kari og {ARABIC}") == f"Kari og {JOINED[::-1]}"


def test_right_to_left_pieces_and_grids_are_mirrored() -> None:
    assert RTL.row(["1", "label"]) == ["label", "1"]
    assert RTL.grid(["one", "two", "three"], 2) == ["two", "one", None, "three"]
    assert RTL.grid(["one", "two"], 1) == ["one", "two"]


def test_parts_of_a_line_join_in_reading_order() -> None:
    assert LTR.joined(["Tuesday 3 December at 10:15", "", "by video"]) == \
        "Tuesday 3 December at 10:15, by video"
