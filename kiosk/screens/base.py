"""The dialogs that open over the whole kiosk (staff PIN, the timeout warning, a service error):
their text lives in ``#body`` and is spoken word for word, like a view's.

The citizen's flow itself is not here: it is a stack of views inside the frame
(kiosk/screens/frame.py, kiosk/screens/view.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import ModalScreen

from kiosk.messages import Speak
from kiosk.offers import Offer, by_key
from kiosk.screens.focus_speech import move_focus
from kiosk.screens.view import spoken_parts
from kiosk.widgets.big_button import BigButton

if TYPE_CHECKING:
    from kiosk.screens.host import KioskHost
    from translations.catalog import Localizer


class KioskModal(ModalScreen[Any]):
    """A dialog over the current screen; dismisses with what the citizen chose."""

    private = False

    BINDINGS = [  # noqa: RUF012 (Textual's own convention)
        Binding("escape", "close", "Close", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("up,left", "move_focus(False)", show=False),
        Binding("down,right", "move_focus(True)", show=False),
    ]

    @property
    def host(self) -> KioskHost:
        return cast("KioskHost", self.app)

    @property
    def l10n(self) -> Localizer:
        return self.host.l10n

    def offers(self) -> list[Offer]:
        return [Offer(tile.id, tile.text, key=tile.number, value=tile.value)
                for tile in self.query(BigButton) if tile.id is not None and tile.display]

    def speech_text(self) -> str:
        bodies = self.query("#body")
        return "\n".join(spoken_parts(bodies.first())) if bodies else ""

    def visible_text(self) -> str:
        """What the body draws, read back from the compositor (see View.visible_text)."""
        bodies = self.query("#body")
        if not bodies:
            return ""
        region = bodies.first().region
        strips = self._compositor.render_strips()
        lines = [strip.crop(region.x, region.right).text.rstrip()
                 for strip in strips[region.y:region.bottom]]
        return "\n".join(line for line in lines if line.strip())

    def speak(self) -> None:
        self.post_message(Speak(self))

    def on_mount(self) -> None:
        self.set_class(True, self.l10n.display.css_class)

    def on_screen_resume(self) -> None:
        self.speak()

    def action_pick(self, number: int) -> None:
        """Press the tile with this number, if the dialog shows one."""
        offer = by_key(self.offers(), number)
        if offer is not None:
            self.choose(offer)

    def choose(self, offer: Offer) -> None:
        """A number key or a spoken answer: press the offer's tile, if it can be pressed."""
        for tile in self.query(BigButton):
            if tile.id == offer.id and tile.display and not tile.disabled:
                tile.press()
                return

    def action_close(self) -> None:
        self.dismiss(None)

    def action_move_focus(self, forward: bool) -> None:
        move_focus(self, self.l10n, forward)

    _dismissed = False

    def dismiss(self, result: Any = None) -> AwaitComplete:
        """Leave once: a second Esc arriving before the dialog is gone would answer its caller
        twice (an error that restarts the kiosk) and close the screen beneath it."""
        if self._dismissed:
            return AwaitComplete()
        self._dismissed = True
        return super().dismiss(result)

    async def rerender(self) -> None:
        await self.recompose()
