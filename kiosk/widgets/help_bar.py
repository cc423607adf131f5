"""The help bar: the same six controls at the bottom of every screen (WCAG 3.2.6), each clickable
and each on a key, in the reading order of the language; the settings card where the kiosk has
a printer, and "Continue on my phone" while the task on screen has a page in the health portal
(kiosk.handoff)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button

from translations.catalog import N_, Localizer

# (button id, msgid, key shown, action)
HELP_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("help-staff", N_("Get staff help"), "F1", "app.staff_help"),
    ("help-back", N_("Back"), "Esc", "screen.back"),
    ("help-repeat", N_("Repeat"), "F2", "app.repeat"),
    ("help-bigger", N_("Bigger text"), "F3", "app.toggle_large_text"),
    ("help-contrast", N_("High contrast"), "F4", "app.toggle_contrast"),
    ("help-end", N_("End"), "F10", "app.end"),
)
CARD_ITEM = ("help-card", N_("Settings card"), "F12", "app.print_card")
"""Only where the kiosk has a printer: print this visit's settings as a card."""
PHONE_ITEM = ("help-phone", N_("On my phone"), "⇧F12", "app.continue_on_phone")
"""Only while the task has a page in the health portal: show it as a QR code (the dialog's
title, "Continue on my phone", is too long for the bar with its key)."""


class HelpBar(Horizontal):
    """Bottom bar of help controls, labelled in the language it is given."""

    def __init__(self, l10n: Localizer, *, card: bool = False) -> None:
        super().__init__()
        self.l10n = l10n
        self.card = card
        self.phone = False

    def compose(self) -> ComposeResult:
        shown = self.l10n.display
        items = [Button(" ".join(shown.row([shown.show(self.l10n.gettext(msgid)), key])),
                        id=widget_id, classes="help-item", action=action, compact=True)
                 for widget_id, msgid, key, action in
                 (*HELP_ITEMS, *((CARD_ITEM,) if self.card else ()),
                  *((PHONE_ITEM,) if self.phone else ()))]
        yield from shown.row(items)

    async def relabel(self, l10n: Localizer) -> None:
        """Show the controls in another language."""
        self.l10n = l10n
        await self.recompose()

    def offer_phone(self, offered: bool) -> None:
        """Show or take away "Continue on my phone" (the task on screen has a link, or not)."""
        if offered != self.phone:
            self.phone = offered
            # Not awaited: a press of the bar's own button may lead here (see the helper panel).
            self.call_later(self.recompose)
