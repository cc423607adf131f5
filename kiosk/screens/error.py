"""The error dialog: what went wrong with a service and what to do next, on screen and spoken,
with "Try again" (or "Sign in again" when the sign-in ran out), "Get staff help" and, where the
kiosk has a printer, "Print a slip for later". The screen below keeps every answer."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button

from hardware.printer import PrinterError, ReceiptPrinter
from kiosk.screens.base import KioskModal
from kiosk.slip import Slip
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

    @property
    def can_print(self) -> bool:
        return self.slip is not None and self.printer is not None and self.printer.available

    def compose(self) -> ComposeResult:
        l10n = self.l10n
        with Vertical(id="body"):
            yield Say(self.message, classes="error", id="error-message")
            with Grid(classes="tiles"):
                yield BigButton(1, l10n.gettext(self.retry_label), value="retry", id="retry")
                yield BigButton(2, l10n.gettext("Get staff help"), value="help", id="error-help")
                if self.can_print:
                    yield BigButton(3, l10n.gettext("Print a slip for later"),
                                    value="slip", id="print-slip")
            if self.print_status:
                yield Say(self.print_status, id="print-status")

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
        try:
            self.printer.print_receipt(self.slip())
        except PrinterError as exc:
            # mypy cannot solve call_from_thread's generic for a coroutine function.
            self.app.call_from_thread(self.printed, exc.msgid)  # type: ignore[arg-type]
            return
        # mypy cannot solve call_from_thread's generic for a coroutine function.
        self.app.call_from_thread(self.printed, PRINTED)  # type: ignore[arg-type]

    async def printed(self, msgid: str) -> None:
        if not self.alive:
            return
        self.print_status = self.l10n.gettext(msgid)
        await self.rerender()
        self.app.speak_screen(self)  # type: ignore[attr-defined]
        for tile in self.query("#retry"):
            tile.focus()
