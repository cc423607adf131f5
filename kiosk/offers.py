"""What a view offers the citizen: one list, built from the same data the view draws.

Every way of answering (a number key, a touch on a tile, and next a spoken word) resolves to
an ``Offer`` of the current view, so a tile cannot be drawn that no key reaches, nor a key bound
that nothing on the screen shows. The staff panel and the speech of focus changes read the same
list. No Textual here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Offer:
    """One thing the citizen can do on the current view."""

    id: str
    """Stable within the view: the tile's widget id (e.g. ``choice-book``, ``page-next``)."""
    label: str
    """What the tile shows, translated, in logical order."""
    key: int | None = None
    """The number key that takes it (also shown on the tile), or None."""
    value: str = ""
    """What it stands for: a choice id, an option id, a language code, a guide id."""
    voice: tuple[str, ...] = ()
    """Words the citizen may say for it besides its label, in the view's language."""
    consequential: bool = False
    """Taking it changes something that cannot be taken back by going back (a booking sent,
    the visit ended): a spoken answer must be confirmed first."""

    @property
    def spoken(self) -> str:
        """What the kiosk says for it: the number to press, then the label."""
        return f"{self.key} {self.label}" if self.key is not None else self.label


def numbered(offers: Iterable[Offer], start: int = 1) -> list[Offer]:
    """The offers with number keys start, start+1, …, in the order given."""
    return [Offer(o.id, o.label, key, o.value, o.voice, o.consequential)
            for key, o in enumerate(offers, start=start)]


def by_key(offers: Sequence[Offer], key: int) -> Offer | None:
    return next((o for o in offers if o.key == key), None)


def by_id(offers: Sequence[Offer], offer_id: str) -> Offer | None:
    return next((o for o in offers if o.id == offer_id), None)


@dataclass
class Pager:
    """Pages of tiles, so every tile has a number key and fits without scrolling; the same for
    the menu's tasks and a step's times."""

    size: int
    """Tiles per page in normal text."""
    large_size: int
    """Tiles per page in large text."""
    page: int = 0

    def per_page(self, large: bool) -> int:
        return self.large_size if large else self.size

    def shown(self, items: Sequence[T], large: bool) -> list[T]:
        """This page's items (the page is kept within the list)."""
        size = self.per_page(large)
        self.page = max(0, min(self.page, (len(items) - 1) // size if items else 0))
        return list(items[self.page * size:(self.page + 1) * size])

    def has_next(self, count: int, large: bool) -> bool:
        return (self.page + 1) * self.per_page(large) < count

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    def turn(self, forward: bool) -> None:
        self.page += 1 if forward else -1

    def resized(self, large: bool) -> None:
        """The text size changed: keep the first item the citizen was looking at in view."""
        first = self.page * self.per_page(not large)
        self.page = first // self.per_page(large)
