"""The base of every view of the citizen's flow (idle, language, menu, a guide's step, sign-in,
finish): one page of the visit, drawn from its offers and texts, spoken word for word.

A view builds its body from ``Say`` paragraphs and the ``BigButton`` tiles of its ``offers()``;
``speech_text()`` reads them back in order, and that exact text is what the kiosk speaks. Every
way of answering resolves to an offer: a number key (``pick``), a touch on a tile
(``on_button_pressed``), and later a spoken word. The view asks for the next thing with
messages (kiosk.messages), never by calling the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from kiosk.messages import Announce, GoBack, Speak
from kiosk.offers import Offer, by_id, by_key
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.flow import Flow
from kiosk.widgets.say import Say
from translations.catalog import N_

if TYPE_CHECKING:
    from kiosk.screens.host import KioskHost
    from translations.catalog import Localizer
    from translations.display import Display

EXPLORE_ANNOUNCE = N_("{button}. Press the same key again to choose it.")

TILE_COLUMNS = 2
"""Tiles side by side in normal text (one column in large text)."""


def spoken_parts(root: Widget) -> list[str]:
    """The text of every visible Say and BigButton under root, in reading order: tiles side by
    side are spoken by their numbers, whichever side a language draws them from."""
    found = [w for w in root.query("Say, BigButton").results()
             if isinstance(w, Say | BigButton) and w.display and w.spoken]
    parts: list[str] = []
    index = 0
    while index < len(found):
        widget = found[index]
        if not isinstance(widget, BigButton):
            parts.append(widget.spoken)
            index += 1
            continue
        siblings = [widget]
        while (index + len(siblings) < len(found)
               and isinstance(found[index + len(siblings)], BigButton)
               and found[index + len(siblings)].parent is widget.parent):
            siblings.append(cast(BigButton, found[index + len(siblings)]))
        siblings.sort(key=lambda b: (b.number is None, b.number or 0))
        parts.extend(b.spoken for b in siblings)
        index += len(siblings)
    return parts


class View(Vertical):
    """One page of the flow; subclasses provide ``compose_body`` and ``offers``."""

    private = False
    """True when the view shows personal data: spoken only through a headset."""

    def __init__(self) -> None:
        super().__init__(classes="view")
        self._dismissed = False
        self._announced: int | None = None
        """In explore mode: the number key pressed once, said, not yet taken."""

    # -- what the view reads ------------------------------------------------------------------

    @property
    def host(self) -> KioskHost:
        return cast("KioskHost", self.app)

    @property
    def l10n(self) -> Localizer:
        return self.host.l10n

    @property
    def shown(self) -> Display:
        """How text is laid out in the language of the moment."""
        return self.l10n.display

    @property
    def alive(self) -> bool:
        """Still in the flow of a visit: results from a worker for a view that is gone (or a
        visit that ended) are dropped."""
        return self.is_attached and self.host.runtime.session.active

    # -- building -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        hint = self.host.voice_hint
        if hint and self.offers():
            yield self.say(hint, id="voice-hint", classes="muted")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def offers(self) -> list[Offer]:
        """What the citizen can do here, each with its number key."""
        return []

    def spoken_values(self) -> dict[str, str]:
        """For a question answered with a value: each value as said aloud -> as typed."""
        return {}

    async def enter_spoken(self, value: str) -> None:
        """A value from ``spoken_values`` was said."""

    def say(self, text: str, *, id: str | None = None, classes: str | None = None,
            spoken: str | None = None) -> Say:
        return Say(text, self.shown, id=id, classes=classes, spoken=spoken)

    def tiles(self, offers: Iterable[Offer], columns: int = TILE_COLUMNS) -> Grid:
        """A grid of tiles in the language's reading order (one column in large text)."""
        columns = 1 if self.host.large_text else columns
        cells: list[Widget] = []
        for offer in self.shown.grid(list(offers), columns):
            cells.append(Static(classes="tile-space") if offer is None else self.tile(offer))
        return Grid(*cells, classes="tiles")

    def tile(self, offer: Offer) -> BigButton:
        return BigButton(offer.key, offer.label, self.shown, value=offer.value, id=offer.id)

    async def rerender(self) -> None:
        """Build the view again (new language, new step) and keep focus sensible. A view the
        flow covers has no widgets: it is built when it comes back."""
        if not self.display:
            return
        await self.recompose()
        self.focus_first()

    def focus_first(self) -> None:
        """Focus the view's first field or tile; with none (a step at work), nothing has focus,
        so Enter cannot press a help-bar control the citizen did not choose."""
        if not self.display:
            return
        for widget in self.query("Input, BigButton"):
            if widget.focusable:
                # The question stays in view: with large text the tiles can fill the screen.
                widget.focus(scroll_visible=False)
                return
        self.screen.set_focus(None)

    async def shown_again(self) -> None:
        """The view is back on top of the flow (the one above it left)."""

    async def text_size_changed(self, large: bool) -> None:
        """Bigger or normal text was chosen: the tiles change their columns."""
        await self.rerender()

    # -- speaking -----------------------------------------------------------------------------

    def speech_text(self) -> str:
        return "\n".join(spoken_parts(self))

    def visible_text(self) -> str:
        """What the view draws on the terminal, line by line, read back from the screen's
        compositor rather than from the widgets' own text: the other side of "what is spoken
        is what is shown", gathered independently of it."""
        region = self.region
        strips = self.screen._compositor.render_strips()
        lines = [strip.crop(region.x, region.right).text.rstrip()
                 for strip in strips[region.y:region.bottom]]
        return "\n".join(line for line in lines if line.strip())

    def speak(self) -> None:
        self.post_message(Speak(self))

    # -- answering ----------------------------------------------------------------------------

    def pick(self, number: int) -> None:
        """A number key: take the offer with that number, if the view shows it. In explore
        mode the first press only says the button; pressing the same key again takes it."""
        offer = by_key(self.offers(), number)
        if offer is None:
            return
        if self.host.runtime.session.prefs.explore and self._announced != number:
            self._announced = number
            self.post_message(Announce(self.l10n.format(EXPLORE_ANNOUNCE, button=offer.spoken)))
            return
        self._announced = None
        self.choose(offer)

    def choose(self, offer: Offer) -> None:
        """A number key or a spoken answer: take the offer, if its tile is there to press."""
        if self._enabled(offer):
            self.run_worker(self.take(offer), group="take", exclusive=True)

    @property
    def takes_dictation(self) -> bool:
        """The view asks for free text (a message): spoken words may be written down."""
        return False

    @property
    def asks_yes_no(self) -> bool:
        """The view is itself a yes-or-no question (a spoken yes needs no second question)."""
        return False

    def _enabled(self, offer: Offer) -> bool:
        found = self.query(f"#{offer.id}")
        return bool(found) and not found.first().disabled and found.first().display

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if not isinstance(event.button, BigButton) or event.button.id is None:
            return
        offer = by_id(self.offers(), event.button.id)
        if offer is None:
            return
        event.stop()
        await self.take(offer)

    async def take(self, offer: Offer) -> None:
        """Do what the offer stands for."""

    async def confirm(self, yes: bool) -> None:
        """The y and n keys: only a view asking a yes-or-no question takes them."""

    def go_back(self) -> None:
        """Esc / the Back control; a text field keeps Backspace for itself."""
        self.post_message(GoBack())

    def typing(self) -> bool:
        return isinstance(self.screen.focused, Input)

    def dismiss(self, result: Any = None) -> None:
        """Leave once: a second Esc, or the phone's answer, arriving before the view is gone
        would answer its caller twice and take away the view beneath."""
        if self._dismissed:
            return
        self._dismissed = True
        self.post_message(Flow.Dismiss(self, result))
