"""Telling a preference card typed by a barcode scanner from keys pressed by a person.

A scanner is a keyboard: it types the card's text and Enter in a few milliseconds. Keys that
begin a card's prefix (``HLP`` and a version: ``HLP1;``) are held back until the prefix is whole
(then the rest, up to Enter, is a card, of this version or another one, which is then refused)
or until it is clear they are not a card: another key, or a pause a scanner never makes. Held
keys then go on as if just pressed, in order, so a person typing is not disturbed. No Textual
here: the app feeds the keys and replays what is given back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kiosk.prefcard import MAX_LENGTH

T = TypeVar("T")

_PREFIX = ("H", "L", "P", "0123456789", ";")
"""What each character of a card's prefix may be."""
PAUSE_S = 0.5
"""A scanner types far faster: keys held longer than this were a person's."""


@dataclass
class Read(Generic[T]):
    deliver: list[T] = field(default_factory=list)
    """Keys that were not part of a card, to be handled as usual, in order."""
    card: str | None = None
    """A card's text (without Enter) when one ended; possibly not a valid card."""


class CardReader(Generic[T]):
    """Feed it every key; it says which to handle now and when a card was read."""

    def __init__(self) -> None:
        self._held: list[T] = []
        self._text = ""
        self._since = 0.0

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def feed(self, key: T, name: str, character: str | None, now: float) -> Read[T]:
        """``name`` is the key's name (``enter``), ``character`` what it types, if anything."""
        if not self._held:
            if character == _PREFIX[0]:
                self._held, self._text, self._since = [key], character, now
                return Read()
            return Read([key])
        if len(self._text) >= len(_PREFIX):  # reading a card
            if name == "enter":
                return self._end([])
            if character is None or not character.isprintable() \
                    or len(self._text) >= MAX_LENGTH:
                return self._end([key])  # not a scanner's card after all: a bad one
            self._held.append(key)
            self._text += character
            self._since = now
            return Read()
        text = self._text + (character or "\0")
        if all(c in allowed for c, allowed in zip(text, _PREFIX, strict=False)):
            self._held.append(key)
            self._text, self._since = text, now
            return Read()
        held, self._held, self._text = self._held, [], ""
        return Read([*held, key])

    def expire(self, now: float) -> Read[T]:
        """After a pause: held keys of an unfinished prefix go on as typed; an unfinished card
        is read as it stands (and found not to be one)."""
        if not self._held or now - self._since < PAUSE_S:
            return Read()
        if len(self._text) >= len(_PREFIX):
            return self._end([])
        held, self._held, self._text = self._held, [], ""
        return Read(held)

    def _end(self, deliver: list[T]) -> Read[T]:
        text, self._held, self._text = self._text, [], ""
        return Read(deliver, card=text)
