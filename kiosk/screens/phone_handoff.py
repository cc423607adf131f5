"""Continue on my phone: the health portal's own page for the task on screen, as a QR code and
as an address, shown and said; "Print a slip for later" puts both on paper where the kiosk has a
printer. The task stays where it was underneath, so the citizen can also go on here.

The address is a kiosk setting (kiosk.handoff), passed in whole: this dialog never sees the
session, so it cannot add anything about the citizen to it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Static

from kiosk.screens.base import KioskModal
from kiosk.slip import CONTINUE_ON_PHONE
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.qr_code import QrCode
from kiosk.widgets.say import Say
from translations.catalog import N_

OPENS_THIS_TASK = N_("Point your phone's camera at the square code. It opens this task in the "
                     "health portal on your phone.")
TYPE_ADDRESS = N_("Or type this address on your phone: {address}")


class PhoneHandoffScreen(KioskModal):
    """Dismisses with "print" (print the hand-off slip) or None (Close, Esc)."""

    CSS_PATH = "phone_handoff.tcss"

    def __init__(self, link: str, *, can_print: bool) -> None:
        super().__init__()
        self.link = link
        self.can_print = can_print

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        shown = l10n.display
        with Vertical(id="body"):
            yield Say(l10n.gettext(CONTINUE_ON_PHONE), shown, classes="title", id="handoff-title")
            words = Vertical(Say(l10n.gettext(OPENS_THIS_TASK), shown),
                             Say(l10n.format(TYPE_ADDRESS, address=self.link), shown,
                                 id="handoff-address"),
                             id="handoff-words")
            yield Horizontal(*shown.row([QrCode(self.link, id="handoff-qr"), words]),
                             id="handoff-row")
            tiles = [BigButton(1, l10n.gettext("Close"), shown, value="close", id="handoff-close")]
            if self.can_print:
                tiles.append(BigButton(2, l10n.gettext("Print a slip for later"), shown,
                                       value="print", id="handoff-print"))
            yield Grid(*(t or Static(classes="tile-space") for t in shown.grid(tiles, 2)),
                       classes="tiles")

    def on_mount(self) -> None:
        for tile in self.query("#handoff-close"):
            tile.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, BigButton):
            event.stop()
            self.dismiss("print" if event.button.value == "print" else None)
