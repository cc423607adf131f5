"""What the kiosk says when the citizen moves focus with the arrow keys: the control's name, its
role, its state where it has one, and where it is ("Bigger text, button, on, 4 of 9"), as a
screen reader would (EN 301 549 5.1.3.3). Only moves the citizen makes are spoken; a new view
focusing its first tile is already said by the view's own speech."""

from __future__ import annotations

from collections.abc import Sequence

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input

from kiosk.messages import FocusMoved
from kiosk.widgets.big_button import BigButton
from translations.catalog import N_, Localizer

TOGGLES = {"help-bigger": "large-text", "help-contrast": "high-contrast"}
"""Help-bar buttons that switch something on or off: the app class that says it is on."""


def describe(widget: Widget, chain: Sequence[Widget], l10n: Localizer,
             on: frozenset[str] = frozenset()) -> str:
    """The utterance for widget, which has focus in chain; ``on`` holds the switched-on
    toggles (TOGGLES values)."""
    if isinstance(widget, BigButton):
        name, role = widget.text, l10n.gettext(N_("button"))
    elif isinstance(widget, Button):
        name, role = str(widget.label), l10n.gettext(N_("button"))
    elif isinstance(widget, Input):
        name, role = widget.value or widget.placeholder, l10n.gettext(N_("text field"))
    else:
        return ""
    parts = [name, role]
    if widget.id in TOGGLES:
        parts.append(l10n.gettext(N_("on") if TOGGLES[widget.id] in on else N_("off")))
    if widget in chain:
        parts.append(l10n.format(N_("{position} of {count}"),
                                 position=chain.index(widget) + 1, count=len(chain)))
    return ", ".join(p for p in parts if p)


def move_focus(screen: Screen[object], l10n: Localizer, forward: bool) -> None:
    """An arrow key: focus the next (or previous) control and have it said."""
    focused = screen.focus_next() if forward else screen.focus_previous()
    if focused is None:
        return
    app = screen.app
    on = frozenset(c for c in TOGGLES.values() if app.has_class(c) or app.theme == c)
    said = describe(focused, screen.focus_chain, l10n, on)
    if said:
        screen.post_message(FocusMoved(said))
