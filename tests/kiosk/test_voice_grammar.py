"""The phrases a screen listens for are exactly what it offers, in its language."""

from __future__ import annotations

from datetime import datetime

from kiosk.offers import Offer, numbered
from kiosk.voice_grammar import Target, grammar, number_values, number_words, spoken_times
from translations.catalog import KIOSK_TZ, Localizer

OFFERS = numbered([Offer("choice-book", "Book a new appointment", voice=("book", "new")),
                   Offer("choice-move", "Move an appointment", voice=("move", "new"))])


def test_labels_voice_words_numbers_and_global_commands() -> None:
    found = grammar(OFFERS, Localizer("en"))
    assert found.targets["book a new appointment"] == Target("offer", "choice-book")
    assert found.targets["book"] == Target("offer", "choice-book")
    assert found.targets["number two"] == Target("offer", "choice-move")
    assert found.targets["number 2"] == Target("offer", "choice-move")
    assert found.targets["two"] == Target("offer", "choice-move")
    assert found.targets["repeat"] == Target("command", "repeat")
    assert found.targets["staff"] == Target("command", "help")


def test_a_phrase_meaning_two_things_is_left_out() -> None:
    assert "new" not in grammar(OFFERS, Localizer("en")).targets


def test_in_norwegian_the_words_are_norwegian() -> None:
    found = grammar(OFFERS, Localizer("nb"))
    assert found.targets["nummer to"] == Target("offer", "choice-move")
    assert found.targets["gjenta"] == Target("command", "repeat")
    assert "repeat" not in found.targets
    assert found.fillers and "og" in found.fillers


def test_while_speaking_only_stop_is_heard() -> None:
    quiet = grammar(OFFERS, Localizer("en")).only("stop")
    assert quiet.phrases == ["stop"]


def test_number_questions_are_answered_in_words() -> None:
    assert number_words(72, "nb") == "syttito"
    values = number_values(50, 300, 0, "en")
    assert values["one hundred and forty"] == "140"
    assert len(values) == 251
    weights = number_values(2, 350, 1, "nb")
    assert weights["syttito komma fem"] == "72.5"
    found = grammar([], Localizer("en"), {"ninety": "90"})
    assert found.targets["ninety"] == Target("value", "90")


def test_a_free_time_is_heard_as_said_aloud() -> None:
    afternoon = datetime(2026, 12, 8, 14, 30, tzinfo=KIOSK_TZ)  # a Tuesday
    assert spoken_times(afternoon, Localizer("en")) == (
        "fourteen thirty", "two thirty", "Tuesday fourteen thirty", "Tuesday two thirty")
    assert spoken_times(datetime(2026, 12, 9, 9, 0, tzinfo=KIOSK_TZ), Localizer("nb")) == (
        "klokka ni", "onsdag klokka ni")


def test_the_same_time_on_two_days_is_told_apart_by_its_weekday() -> None:
    en = Localizer("en")
    tuesday, wednesday = (datetime(2026, 12, day, 10, 30, tzinfo=KIOSK_TZ) for day in (8, 9))
    heard = grammar(numbered([Offer("option-1", "Tue 10:30", voice=spoken_times(tuesday, en)),
                              Offer("option-2", "Wed 10:30",
                                    voice=spoken_times(wednesday, en))]), en)
    assert heard.targets["tuesday ten thirty"] == Target("offer", "option-1")
    assert heard.targets["wednesday ten thirty"] == Target("offer", "option-2")
    assert "ten thirty" not in heard.targets
