"""The portable preference card (EN 1332-4 §5.4): a citizen's settings for the kiosk as a short
text, printed as a QR code and read back by a barcode scanner at any Helselos kiosk.

The text holds the preferences and nothing else, in a versioned format a scanner can type:
``HLP1;lang=nb;speech=1;rate=2;size=L;slow=1`` (language, speech on, speech rate step 0-4 from
slowest, text size N or L, longer time limits). Every field is required, once, in this order;
anything else (another version, an unknown field or value, a language this kiosk does not offer)
is not a card, so a foreign barcode can never change a setting.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from kiosk.session import RATES, Preferences

MAX_LENGTH = 64
"""Longer than any card: a scanner's text beyond it is not a card."""
_CARD = re.compile(r"HLP1;lang=(?P<lang>[a-z]{2,3});speech=(?P<speech>[01]);"
                   r"rate=(?P<rate>[0-9]);size=(?P<size>[NL]);slow=(?P<slow>[01])")


@dataclass(frozen=True)
class CardPrefs:
    """What a card carries: only preferences, never anything about the person."""

    language: str
    speech: bool
    rate: int
    """The speech rate's step in RATES (0: slowest)."""
    large_text: bool
    longer_time: bool

    def text(self) -> str:
        return (f"HLP1;lang={self.language};speech={int(self.speech)};rate={self.rate};"
                f"size={'L' if self.large_text else 'N'};slow={int(self.longer_time)}")


def card_of(prefs: Preferences) -> CardPrefs:
    """The card for this visit's preferences."""
    rate = min(range(len(RATES)), key=lambda i: abs(RATES[i] - prefs.speech_rate))
    return CardPrefs(prefs.language, prefs.speech, rate, prefs.large_text, prefs.longer_time)


def read_card(text: str, languages: Collection[str]) -> CardPrefs | None:
    """The preferences a scanned text holds, or None when it is not a card this kiosk can use."""
    if len(text) > MAX_LENGTH:
        return None
    found = _CARD.fullmatch(text)
    if found is None or found["lang"] not in languages or int(found["rate"]) >= len(RATES):
        return None
    return CardPrefs(found["lang"], found["speech"] == "1", int(found["rate"]),
                     found["size"] == "L", found["slow"] == "1")
