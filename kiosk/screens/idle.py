"""The idle view: what the kiosk is, how to start, and how long a pause may last (WCAG 2.2.6)."""

from __future__ import annotations

from textual.app import ComposeResult

from kiosk.messages import StartVisit
from kiosk.offers import Offer
from kiosk.screens.view import View
from translations.catalog import Localizer


def idle_notice(l10n: Localizer, timeout_s: int) -> str:
    """The up-front notice of the idle time limit, in minutes when whole, else in seconds."""
    if timeout_s % 60 == 0:
        return l10n.nformat(
            "If you do nothing for {count} minute, the kiosk ends your visit and deletes "
            "what you entered. It warns you first, and you can ask for more time.",
            "If you do nothing for {count} minutes, the kiosk ends your visit and deletes "
            "what you entered. It warns you first, and you can ask for more time.",
            timeout_s // 60,
        )
    return l10n.nformat(
        "If you do nothing for {count} second, the kiosk ends your visit and deletes "
        "what you entered. It warns you first, and you can ask for more time.",
        "If you do nothing for {count} seconds, the kiosk ends your visit and deletes "
        "what you entered. It warns you first, and you can ask for more time.",
        timeout_s,
    )


# Keys that keep their own meaning on the idle view: staff help, repeat, text size, contrast,
# end, moving focus, and the number keys bound to buttons.
OWN_MEANING = frozenset({"f1", "f2", "f3", "f4", "f10", "tab", "shift+tab", "up", "down",
                         "left", "right", "escape", "backspace", *"123456789"})


def starts_a_visit(key: str) -> bool:
    """Any key but those with a meaning of their own begins a visit on the idle view."""
    is_function_key = key[:1] == "f" and key[1:].isdigit()
    return not (key in OWN_MEANING or is_function_key or key.startswith("ctrl+"))


class IdleView(View):
    """Waiting for the next citizen. Any key, any touch or Start begins a visit."""

    def offers(self) -> list[Offer]:
        return [Offer("start", self.l10n.gettext("Start"), key=1)]

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        yield self.say(l10n.gettext("Welcome to the health kiosk"), classes="title",
                       id="idle-title")
        yield self.say(l10n.gettext("Here you can book, move or cancel an appointment at your "
                                    "GP office. Staff can help you."))
        yield self.say(idle_notice(l10n, self.host.settings.idle_timeout_s), id="idle-notice",
                       classes="muted")
        if self.host.speech_problem:
            yield self.say(l10n.gettext("Speech is not working right now. Everything is shown "
                                        "on the screen."), id="speech-problem", classes="muted")
        yield self.say(l10n.gettext("Touch the screen or press any key to start."),
                       id="idle-start-hint")
        yield from (self.tile(offer) for offer in self.offers())

    async def take(self, offer: Offer) -> None:
        self.post_message(StartVisit())

    def go_back(self) -> None:
        """Nothing to go back to."""
