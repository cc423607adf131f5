"""The frame every kiosk screen shares: helper and record banners, body, caption line, help bar.

A screen builds its body from ``Say`` paragraphs and ``BigButton`` tiles; ``visible_text()``
reads them back in order, and that exact text is what the kiosk speaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from kiosk.widgets.big_button import BigButton
from kiosk.widgets.caption import CaptionLine
from kiosk.widgets.help_bar import HelpBar
from kiosk.widgets.helper_banner import HelperBanner
from kiosk.widgets.record_banner import RecordBanner

if TYPE_CHECKING:
    from translations.catalog import Localizer


def spoken_parts(root: Any) -> list[str]:
    """The text of every visible Say and BigButton under root, in screen order."""
    return [
        widget.spoken
        for widget in root.query("Say, BigButton")
        if widget.display and widget.spoken
    ]


class Spoken:
    """Mixin for screens and modals: what the screen says is what it shows."""

    private = False
    """True when the screen shows personal data: spoken only through a headset."""

    @property
    def l10n(self) -> Localizer:
        return self.app.l10n  # type: ignore[attr-defined]

    def speech_text(self) -> str:
        bodies = self.query("#body")  # type: ignore[attr-defined]
        return "\n".join(spoken_parts(bodies.first())) if bodies else ""

    def visible_text(self) -> str:
        """What the body draws on the terminal, line by line, read back from the screen's
        compositor rather than from the widgets' own text: the other side of "what is spoken
        is what is shown", gathered independently of it."""
        bodies = self.query("#body")  # type: ignore[attr-defined]
        if not bodies:
            return ""
        region = bodies.first().region
        strips = self._compositor.render_strips()  # type: ignore[attr-defined]
        lines = [strip.crop(region.x, region.right).text.rstrip()
                 for strip in strips[region.y:region.bottom]]
        return "\n".join(line for line in lines if line.strip())

    def on_screen_resume(self) -> None:
        self.app.speak_screen(self)  # type: ignore[attr-defined]

    _dismissed = False

    def dismiss(self, result: Any = None) -> AwaitComplete:
        """Leave once: a second Esc, or the phone's answer, arriving before the screen is gone
        would answer its caller twice (an error that restarts the kiosk) and pop the screen
        beneath it."""
        if self._dismissed:
            return AwaitComplete()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]

    @property
    def alive(self) -> bool:
        """Still on the screen stack: results from a worker for a removed screen are dropped."""
        app: Any = self.app  # type: ignore[attr-defined]
        return self in app.screen_stack and app.runtime.session.active

    def pick_number(self, number: int) -> None:
        """Press the tile with this number, if the screen shows one."""
        for tile in self.query(BigButton):  # type: ignore[attr-defined]
            if tile.number == number and tile.display and not tile.disabled:
                tile.press()
                return


class KioskScreen(Spoken, Screen[Any]):
    """A full kiosk screen with the shared frame; subclasses provide ``compose_body``."""

    BINDINGS = [  # noqa: RUF012 (Textual's own convention)
        Binding("escape", "back", "Back", show=False),
        Binding("backspace", "back", "Back", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("up,left", "app.focus_previous", show=False),
        Binding("down,right", "app.focus_next", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield HelperBanner()
        yield RecordBanner()
        with Vertical(id="body"):
            yield from self.compose_body()
        yield HelpBar()
        yield CaptionLine(id="caption")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        for widget in self.query("#body Input, #body BigButton"):
            if widget.focusable:
                # The question stays in view: with large text the tiles can fill the screen.
                widget.focus(scroll_visible=False)
                return

    def action_pick(self, number: int) -> None:
        self.pick_number(number)

    def action_back(self) -> None:
        # Backspace belongs to a text field while one has focus.
        if isinstance(self.focused, Input):
            return
        self.go_back()

    def go_back(self) -> None:
        """Esc / the Back control. Default: the previous screen; back past the first screen of
        a visit ends the visit, since the Welcome screen belongs to the next citizen."""
        stack = self.app.screen_stack
        if len(stack) > 3:
            self.app.pop_screen()
        elif len(stack) == 3:
            self.app.end_session()  # type: ignore[attr-defined]

    async def rerender(self) -> None:
        """Build the screen again (new language, new step) and keep focus sensible."""
        await self.recompose()
        self.focus_first()

    async def text_size_changed(self, large: bool) -> None:
        """Bigger or normal text was chosen; screens whose layout depends on it redraw."""


class KioskModal(Spoken, ModalScreen[Any]):
    """A dialog over the current screen; its text lives in ``#body`` like a full screen's."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "Close", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("up,left", "app.focus_previous", show=False),
        Binding("down,right", "app.focus_next", show=False),
    ]

    def action_pick(self, number: int) -> None:
        self.pick_number(number)

    def action_close(self) -> None:
        self.dismiss(None)

    async def rerender(self) -> None:
        await self.recompose()
