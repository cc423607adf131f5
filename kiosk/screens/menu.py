"""The menu: one tile per bundled guide, a page at a time, plus language; repeats the idle-time
notice. Pages keep every tile on a number key and on the screen without scrolling."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.screens.idle import idle_notice
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say

PAGE = 4
LARGE_PAGE = 2


class MenuScreen(KioskScreen):
    """What do you want to do? Guides come from runtime.guides, in their order."""

    CSS_PATH = "menu.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.page = 0
        self.from_start = False
        """Show the first page when the menu comes back (a new task, not a step back)."""

    async def on_screen_resume(self) -> None:  # type: ignore[override]  # Textual awaits it
        if self.from_start:
            self.from_start, self.page = False, 0
            await self.rerender()
        super().on_screen_resume()

    def page_size(self, large: bool) -> int:
        return LARGE_PAGE if large else PAGE

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        runtime = self.app.runtime  # type: ignore[attr-defined]
        guides = runtime.guides
        size = self.page_size(self.app.has_class("large-text"))
        self.page = min(self.page, max(len(guides) - 1, 0) // size)
        yield Say(l10n.gettext("What do you want to do?"), classes="title")
        with Grid(classes="tiles"):
            number = 0
            shown = guides[self.page * size:(self.page + 1) * size]
            for number, guide in enumerate(shown, start=1):
                yield BigButton(number, l10n.gettext(guide.title), value=guide.id,
                                id=f"guide-{guide.id}")
            if (self.page + 1) * size < len(guides):
                number += 1
                yield BigButton(number, l10n.gettext("More tasks"), id="page-next")
            if self.page:
                number += 1
                yield BigButton(number, l10n.gettext("Earlier tasks"), id="page-prev")
            yield BigButton(number + 1, l10n.gettext("Change language"), id="change-language")
        yield Say(idle_notice(l10n, runtime.settings.idle_timeout_s), classes="muted")

    async def text_size_changed(self, large: bool) -> None:
        """Keep the first task the citizen was looking at on the page they now see."""
        self.page = self.page * self.page_size(not large) // self.page_size(large)
        await self.rerender()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        if not isinstance(button, BigButton):
            return
        event.stop()
        if button.id in ("page-next", "page-prev"):
            self.page += 1 if button.id == "page-next" else -1
            await self.rerender()
            self.app.speak_screen(self)  # type: ignore[attr-defined]
        elif button.id == "change-language":
            self.app.show_languages()  # type: ignore[attr-defined]
        elif button.value:
            self.app.start_guide(button.value)  # type: ignore[attr-defined]
