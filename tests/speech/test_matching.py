"""Snapping Whisper transcripts to commands: what passes, and what must not."""

from __future__ import annotations

import pytest

from speech.matching import AMBIGUITY_MARGIN, DEFAULT_CUTOFF, match_command

ENGLISH = ("yes", "no", "book an appointment", "number three", "repeat")
NORWEGIAN = ("ja", "nei", "bestill time", "gjenta")


def match(transcript: str, commands: tuple[str, ...] = ENGLISH) -> str | None:
    return match_command(transcript, commands, cutoff=DEFAULT_CUTOFF)


@pytest.mark.parametrize(("transcript", "command"), [
    ("yes", "yes"),
    ("Yes.", "yes"),
    ("Yes!", "yes"),
    ("  NO?  ", "no"),
    ("Book an appointment.", "book an appointment"),
    ("number three.", "number three"),
    ("Repeat...", "repeat"),
])
def test_the_command_itself_however_punctuated(transcript: str, command: str) -> None:
    assert match(transcript) == command


@pytest.mark.parametrize(("transcript", "command"), [
    # Whisper's near misses on espeak-ng speech, as measured.
    ("Bestill team.", "bestill time"),
    ("bestill teamer.", "bestill time"),
    ("Book and appointment.", "book an appointment"),
    ("Repeats.", "repeat"),
])
def test_near_misses_of_a_long_enough_phrase(transcript: str, command: str) -> None:
    assert match_command(transcript, ENGLISH + NORWEGIAN, cutoff=DEFAULT_CUTOFF) == command


@pytest.mark.parametrize("transcript", [
    "",
    "   ",
    "...",
    "I would like to see a doctor about my knee",
    "Thank you.",  # what Whisper often writes for silence
    "Now.",  # one letter off a two-letter command: too far
    "yes please",  # a command inside a sentence is not the command
    "I do not know",
    "Ja, nei, bestill time.",  # the prompt echoed back
    "We can appointment.",  # too garbled to be sure
])
def test_everything_else_is_no_command(transcript: str) -> None:
    assert match(transcript) is None
    assert match_command(transcript, NORWEGIAN, cutoff=DEFAULT_CUTOFF) is None


def test_digits_are_not_number_words() -> None:
    # "number 3" is nearer "number two" than "number three" by letters: rather than guess,
    # it is rejected (the Whisper engine keeps digits out of transcripts).
    numbers = ("number one", "number two", "number three")
    assert match_command("number 3", numbers, cutoff=DEFAULT_CUTOFF) is None
    assert match_command("number three", numbers, cutoff=DEFAULT_CUTOFF) == "number three"


def test_between_two_commands_is_no_command() -> None:
    commands = ("book an appointment", "cancel an appointment")
    assert match_command("an appointment", commands, cutoff=DEFAULT_CUTOFF) is None
    assert match_command("book an appointment", commands, cutoff=DEFAULT_CUTOFF) == (
        "book an appointment")


def test_the_margin_is_between_different_commands_only() -> None:
    # Two spellings of one command are not an ambiguity: the first one given is returned.
    assert match_command("ok", ("OK", "ok."), cutoff=DEFAULT_CUTOFF) == "OK"
    assert AMBIGUITY_MARGIN > 0


def test_the_cutoff_decides() -> None:
    assert match_command("repeats", ("repeat",), cutoff=90) == "repeat"
    assert match_command("repeats", ("repeat",), cutoff=95) is None
    assert match_command("Yes.", ("yes",), cutoff=100) == "yes"


def test_fillers_compete_but_are_never_commands() -> None:
    assert match_command("hey", ("ja", "nei"), cutoff=50, fillers=("hei",)) is None
    assert match_command("nei", ("ja", "nei"), cutoff=50, fillers=("hei",)) == "nei"
    # A filler spelled like a command is the command.
    assert match_command("ja", ("ja",), cutoff=DEFAULT_CUTOFF, fillers=("ja",)) == "ja"


def test_no_commands_no_match() -> None:
    assert match_command("yes", (), cutoff=DEFAULT_CUTOFF) is None
    assert match_command("hei", (), cutoff=DEFAULT_CUTOFF, fillers=("hei",)) is None
