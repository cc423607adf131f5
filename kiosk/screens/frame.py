"""The frame: the one screen of the kiosk, around the citizen's flow.

From top to bottom: the practice banner (a practice visit), the helper banner (a staff member is
helping), the record banner (whose record is open), the flow (the stack of views a visit goes
through), the caption line (what is being heard) and the help bar. Keys that every view shares
are bound here and go to the view on top of the flow. The frame carries the language's direction
as a class (``ltr`` or ``rtl``), so its stylesheets mirror the layout for a right-to-left
language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from kiosk.messages import StartVisit
from kiosk.screens.focus_speech import move_focus
from kiosk.screens.idle import IdleView, starts_a_visit
from kiosk.screens.view import View
from kiosk.widgets.caption import CaptionLine
from kiosk.widgets.flow import Flow
from kiosk.widgets.help_bar import HelpBar
from kiosk.widgets.helper_banner import HelperBanner
from kiosk.widgets.helper_panel import HelperPanel
from kiosk.widgets.practice_banner import PracticeBanner
from kiosk.widgets.record_banner import RecordBanner

if TYPE_CHECKING:
    from translations.catalog import Localizer


class FrameScreen(Screen[Any]):
    """Banners, the flow, the caption line and the help bar; the helper panel beside the flow
    while a staff member has helper mode on (the flow keeps its place beside it)."""

    BINDINGS = [  # noqa: RUF012 (Textual's own convention)
        Binding("escape", "back", "Back", show=False),
        Binding("backspace", "back_unless_typing", "Back", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("y", "confirm(True)", show=False),
        Binding("n", "confirm(False)", show=False),
        Binding("up,left", "move_focus(False)", show=False),
        Binding("down,right", "move_focus(True)", show=False),
    ]

    class Resumed(Message):
        """The frame is on top again (a dialog over it closed)."""

    def __init__(self, l10n: Localizer, *, card: bool = False) -> None:
        super().__init__()
        self._l10n = l10n
        self._card = card
        """Whether the help bar offers the settings card (the kiosk has a printer)."""

    def on_screen_resume(self) -> None:
        self.post_message(self.Resumed())

    def compose(self) -> ComposeResult:
        yield PracticeBanner()
        yield HelperBanner()
        yield RecordBanner()
        yield Flow(id="flow")
        yield HelperPanel()
        yield HelpBar(self._l10n, card=self._card)
        yield CaptionLine(self._l10n.display, id="caption")

    def on_mount(self) -> None:
        self.set_class(True, self._l10n.display.css_class)

    @property
    def flow(self) -> Flow:
        return self.query_one(Flow)

    @property
    def view(self) -> View | None:
        """The view on top of the flow."""
        top = self.flow.top
        return top if isinstance(top, View) else None

    async def relabel(self, l10n: Localizer) -> None:
        """The language changed: the help bar in its words, the layout and the captions in its
        direction."""
        self.set_class(False, self._l10n.display.css_class)
        self._l10n = l10n
        self.set_class(True, l10n.display.css_class)
        self.query_one(CaptionLine).shown = l10n.display
        await self.query_one(HelpBar).relabel(l10n)

    # -- keys every view shares ---------------------------------------------------------------

    def action_back(self) -> None:
        if self.view is not None:
            self.view.go_back()

    def action_back_unless_typing(self) -> None:
        # Backspace belongs to a text field while one has focus; Esc always goes back.
        if self.view is not None and not self.view.typing():
            self.view.go_back()

    def action_move_focus(self, forward: bool) -> None:
        move_focus(self, self._l10n, forward)

    def action_pick(self, number: int) -> None:
        if self.view is not None:
            self.view.pick(number)

    async def action_confirm(self, yes: bool) -> None:
        if self.view is not None:
            await self.view.confirm(yes)

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.view, IdleView) and starts_a_visit(event.key):
            event.stop()
            event.prevent_default()
            self.post_message(StartVisit())

    def on_click(self, event: events.Click) -> None:
        # Buttons (Start, the help bar) stop their own clicks; any other touch starts.
        if isinstance(self.view, IdleView):
            event.stop()
            self.post_message(StartVisit())
