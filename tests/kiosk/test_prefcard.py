"""The preference card's text and the scanner's keys: a card read back is the card written, a
foreign or damaged code is no card, and the reader tells a scanner's card from a person typing."""

from __future__ import annotations

import pytest

from kiosk.card_reader import PAUSE_S, CardReader
from kiosk.prefcard import CardPrefs, card_of, read_card
from kiosk.session import RATES, Preferences

OFFERED = {"nb", "en"}


def test_a_card_holds_the_preferences_and_reads_back() -> None:
    prefs = Preferences(language="nb", large_text=True, speech_rate=RATES[0], longer_time=True)
    card = card_of(prefs)
    assert card.text() == "HLP1;lang=nb;speech=1;rate=0;size=L;slow=1"
    assert read_card(card.text(), OFFERED) == card == CardPrefs("nb", True, 0, True, True)


@pytest.mark.parametrize("text", [
    "HLP2;lang=nb;speech=1;rate=0;size=L;slow=1",          # another version
    "HLP1;lang=xx;speech=1;rate=0;size=L;slow=1",          # a language not offered
    "HLP1;lang=nb;speech=1;rate=7;size=L;slow=1",          # no such rate step
    "HLP1;lang=nb;speech=1;rate=0;size=L;slow=1;name=Kari",  # anything more
    "HLP1;speech=1;lang=nb;rate=0;size=L;slow=1",          # another order
    "HLP1;lang=nb;speech=1;rate=0;size=L",                 # a field missing
    "9788202", "",
])
def test_anything_else_is_no_card(text: str) -> None:
    assert read_card(text, OFFERED) is None


def feed(reader: CardReader[str], text: str, now: float = 0.0) -> tuple[list[str], str | None]:
    """Type text as keys (Enter as \\n); returns the keys given back and the card read."""
    given: list[str] = []
    card = None
    for n, ch in enumerate(text):
        name = "enter" if ch == "\n" else ch
        read = reader.feed(f"{n}:{ch}", name, None if ch == "\n" else ch, now)
        given += [key.split(":", 1)[1] for key in read.deliver]
        card = read.card if read.card is not None else card
    return given, card


def test_the_reader_takes_a_card_and_gives_back_a_persons_keys() -> None:
    reader: CardReader[str] = CardReader()
    assert feed(reader, "HLP1;lang=nb\n") == ([], "HLP1;lang=nb")
    assert feed(reader, "Hei\n") == (list("Hei\n"), None)
    assert feed(reader, "HLPx") == (list("HLPx"), None)
    # A person's "HL" and a pause: the keys go on as typed, late but whole.
    assert feed(reader, "HL") == ([], None)
    assert reader.expire(PAUSE_S / 2).deliver == []
    assert [k.split(":")[1] for k in reader.expire(PAUSE_S).deliver] == ["H", "L"]
    # A card cut short (the scanner lost it): read as it stands, and found to be no card.
    assert feed(reader, "HLP1;lang") == ([], None)
    assert reader.expire(PAUSE_S).card == "HLP1;lang"
