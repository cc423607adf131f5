"""The flow: the citizen's way through a visit, a stack of views of which the top one is shown.

It lives in one region of the frame (not as the app's screen stack), so another panel, such as a
staff member's, can sit beside it while the views below keep their place: a menu keeps its page
under a task, a task keeps its answers under the sign-in. Dialogs (staff PIN, the timeout
warning, a service error) stay modal screens above the whole frame.

A view leaves with ``dismiss(result)``: the flow removes it, shows the one below, and calls the
``done`` callback it was pushed with. ``Shown`` is posted whenever another view comes to the
top, so the app can speak it. A view underneath keeps its state (the view object stays
mounted, its workers run) but not its widgets: they are removed while it is covered and built
again when it comes back, so no two views' widgets (and ids) are ever on the screen at once,
and no covered view keeps text drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.containers import Container
from textual.message import Message
from textual.widget import Widget

Done = Callable[[Any], Any]


class Flow(Container):
    """A stack of views; only the top one is displayed."""

    class Shown(Message):
        """``view`` is now the top of the flow."""

        def __init__(self, view: Widget) -> None:
            super().__init__()
            self.view = view

    class Dismiss(Message):
        """A view of this flow is done: ``result`` goes to whoever pushed it."""

        def __init__(self, view: Widget, result: Any) -> None:
            super().__init__()
            self.view = view
            self.result = result

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stack: list[tuple[Widget, Done | None]] = []

    @property
    def views(self) -> list[Widget]:
        """Bottom first."""
        return [view for view, _done in self._stack]

    @property
    def top(self) -> Widget | None:
        return self._stack[-1][0] if self._stack else None

    @property
    def depth(self) -> int:
        return len(self._stack)

    async def push(self, view: Widget, done: Done | None = None) -> None:
        """Show ``view`` over the current one, which keeps its place underneath."""
        if self.top is not None:
            await self._put_under(self.top)
        self._stack.append((view, done))
        await self.mount(view)
        self._shown()

    @staticmethod
    async def _put_under(view: Widget) -> None:
        view.display = False
        await view.remove_children()

    @staticmethod
    async def _bring_back(view: Widget) -> None:
        view.display = True
        await view.recompose()

    async def replace(self, view: Widget) -> None:
        """Show ``view`` instead of the current one (which is removed)."""
        if self._stack:
            old, done = self._stack.pop()
            self._stack.append((view, done))
            await old.remove()
        else:
            self._stack.append((view, None))
        await self.mount(view)
        self._shown()

    async def pop(self, result: Any = None) -> None:
        """Remove the top view, show the one below, and answer the top view's caller."""
        if not self._stack:
            return
        old, done = self._stack.pop()
        await old.remove()
        if self.top is not None:
            await self._bring_back(self.top)
            self._shown()
        if done is not None:
            # Answered on the view that comes back (usually the one that asked), so what the
            # answer posts comes from that view and bubbles up past this flow to the app.
            (self.top or self).call_later(done, result)

    async def on_flow_dismiss(self, message: Dismiss) -> None:
        message.stop()
        # Only the view on top leaves: an answer arriving for a view already gone (Back at
        # the same moment) must not take away the one beneath it.
        if message.view is self.top:
            await self.pop(message.result)

    def _shown(self) -> None:
        top = self.top
        if top is not None:
            self.post_message(self.Shown(top))
