"""The menu: one tile per bundled guide, plus language; repeats the idle-time notice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.screens.idle import idle_notice
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say


class MenuScreen(KioskScreen):
    """What do you want to do? Guides come from runtime.guides, in their order."""

    CSS_PATH = "menu.tcss"

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        runtime = self.app.runtime  # type: ignore[attr-defined]
        yield Say(l10n.gettext("What do you want to do?"), classes="title")
        with Grid(classes="tiles"):
            number = 0
            for number, guide in enumerate(runtime.guides, start=1):
                yield BigButton(number, l10n.gettext(guide.title), value=guide.id,
                                id=f"guide-{guide.id}")
            yield BigButton(number + 1, l10n.gettext("Change language"), id="change-language")
        yield Say(idle_notice(l10n, runtime.settings.idle_timeout_s), classes="muted")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        if not isinstance(button, BigButton):
            return
        event.stop()
        if button.id == "change-language":
            self.app.show_languages()  # type: ignore[attr-defined]
        elif button.value:
            self.app.start_guide(button.value)  # type: ignore[attr-defined]
