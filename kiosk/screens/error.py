"""The error dialog: what went wrong with a service and what to do next, on screen and spoken,
with "Try again" (or "Sign in again" when the sign-in ran out), "Get staff help" and, where the
kiosk has a printer, "Print a slip for later". The screen below keeps every answer."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from hardware.printer import PrinterError, ReceiptPrinter
from kiosk.screens.base import KioskModal
from kiosk.slip import Slip, spoken
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say
from translations.catalog import N_

TRY_AGAIN = N_("Try again")
SIGN_IN_AGAIN = N_("Sign in again")
PRINTED = N_("Your slip is printed. Take it with you.")


class ErrorScreen(KioskModal):
    """Dismisses with "retry", "help" or None (Esc). Printing the slip keeps it open, so the
    citizen can still try again or call staff afterwards."""

    CSS_PATH = "error.tcss"

    class Printed(Message):
        """What came of printing the slip (a msgid)."""

        def __init__(self, msgid: str, said: str = "") -> None:
            super().__init__()
            self.msgid = msgid
            self.said = said
            """What the printed slip says, read aloud after the msgid (kiosk.slip.spoken)."""

    def __init__(self, message: str, retry_label: str = TRY_AGAIN,
                 slip: Callable[[], Slip] | None = None,
                 printer: ReceiptPrinter | None = None) -> None:
        super().__init__()
        self.message = message
        self.retry_label = retry_label
        """A msgid: what trying again means here."""
        self.slip = slip
        self.printer = printer
        self.print_status = ""
        """What came of printing, shown under the buttons (translated)."""
        self.print_said = ""
        """The printed slip's text, said after print_status (not shown: it is on paper)."""

    @property
    def can_print(self) -> bool:
        return self.slip is not None and self.printer is not None and self.printer.available

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        shown = l10n.display
        with Vertical(id="body"):
            yield Say(self.message, shown, classes="error", id="error-message")
            tiles = [BigButton(1, l10n.gettext(self.retry_label), shown, value="retry",
                               id="retry"),
                     BigButton(2, l10n.gettext("Get staff help"), shown, value="help",
                               id="error-help")]
            if self.can_print:
                tiles.append(BigButton(3, l10n.gettext("Print a slip for later"), shown,
                                       value="slip", id="print-slip"))
            yield Grid(*(t or Static(classes="tile-space") for t in shown.grid(tiles, 2)),
                       classes="tiles")
            if self.print_status:
                yield Say(self.print_status, shown, id="print-status",
                          spoken="\n".join(t for t in (self.print_status, self.print_said) if t))

    def on_mount(self) -> None:
        for tile in self.query("#retry"):
            tile.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if not isinstance(event.button, BigButton):
            return
        event.stop()
        if event.button.value == "slip":
            self.print_slip()
        else:
            self.dismiss(event.button.value)

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def print_slip(self) -> None:
        """Off the UI thread: a stuck printer may take seconds to give up."""
        assert self.slip is not None and self.printer is not None  # the button needs both
        slip = self.slip()
        try:
            self.printer.print_receipt(slip)
        except PrinterError as exc:
            self.post_message(self.Printed(exc.msgid))
            return
        self.post_message(self.Printed(PRINTED, spoken(slip)))

    async def on_error_screen_printed(self, message: Printed) -> None:
        if not self.is_attached:
            return
        self.print_status = self.l10n.gettext(message.msgid)
        self.print_said = message.said
        await self.rerender()
        self.speak()
        for tile in self.query("#retry"):
            tile.focus()
