"""The finish view: what was done, in words, and how the visit ends (everything is deleted).

A finish step may carry an address for the citizen's phone (``qr``); it is drawn as a QR code
with a sentence saying what it opens, and written out for those who type it. Its
``{portal_url}``-style placeholders are kiosk settings, filled here, never guide text.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from kiosk.messages import AnotherTask, EndVisit, Heading
from kiosk.offers import Offer
from kiosk.screens.view import View
from kiosk.widgets.qr_code import QrCode


def qr_settings(runtime: Any) -> dict[str, str]:
    """The addresses a finish step's ``qr`` may name: in a practice visit the practice
    service's portal page, else the configured portal, else in practice mode the demo service's
    practice portal page."""
    if runtime.practice is not None:
        return {"portal_url": f"{runtime.practice.demo.base_url}/portal"}
    if runtime.settings.portal_url is not None:
        return {"portal_url": runtime.settings.portal_url}
    if runtime.demo is not None:
        return {"portal_url": f"{runtime.demo.base_url}/portal"}
    return {}


def qr_address(template: str | None, settings: dict[str, str]) -> str | None:
    """The address to draw, or None when there is none or a setting it names is not set."""
    if template is None:
        return None
    try:
        return template.format_map(settings)
    except KeyError:
        return None


class FinishView(View):
    """The guide's finish text; Done (or End, or the idle timeout) wipes the session. Another
    task goes back to the menu still signed in (and still acting for whom the citizen chose),
    with the finished task's answers forgotten."""

    def __init__(self, heading: Heading, *, private: bool = False,
                 qr: str | None = None) -> None:
        super().__init__()
        self.heading = heading
        """Gives the finish text and its help in the current language (rebuilt on a switch)."""
        self.private = private
        self.qr = qr
        """The finish step's ``qr`` as written in the guide (placeholders not filled yet)."""

    @property
    def text(self) -> str:
        return self.heading()[0]

    @property
    def address(self) -> str | None:
        return qr_address(self.qr, qr_settings(self.host.runtime))

    def offers(self) -> list[Offer]:
        gettext = self.l10n.gettext
        return [Offer("done", gettext("Done"), key=1, consequential=True),
                Offer("another", gettext("Another task"), key=2)]

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        shown = self.shown
        text, help_text = self.heading()
        yield self.say(text, classes="title", id="finish-text")
        if help_text:
            yield self.say(help_text, id="finish-help")
        address = self.address
        if address is not None:
            words = Vertical(
                self.say(l10n.gettext("Point your phone's camera at the square code. It opens "
                                      "this page on your phone.")),
                self.say(l10n.format("Or type this address on your phone: {address}",
                                     address=address), id="finish-address"),
                id="finish-qr-words")
            yield Horizontal(*shown.row([QrCode(address, id="finish-qr"), words]),
                             id="finish-qr-row")
        yield self.say(l10n.gettext("When you press Done, the kiosk forgets everything about "
                                    "your visit. Press Another task to do more first."),
                       classes="muted")
        yield Horizontal(*shown.row([self.tile(offer) for offer in self.offers()]),
                         id="finish-buttons")

    async def take(self, offer: Offer) -> None:
        self.post_message(EndVisit() if offer.id == "done" else AnotherTask())

    def go_back(self) -> None:
        """The task is done; going back would repeat it."""
