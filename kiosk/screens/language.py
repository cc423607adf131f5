"""The language view: every shipped language in its own name; languages without a voice say so
(EN 5.1.3.14), and those the kiosk can listen in say that too."""

from __future__ import annotations

from textual.app import ComposeResult

from kiosk.messages import LanguageChosen
from kiosk.offers import Offer, numbered
from kiosk.screens.view import View
from translations.languages import LANGUAGES


class LanguageView(View):
    """Choose the language; the choice applies at once and the menu follows."""

    def offers(self) -> list[Offer]:
        voice = self.host.runtime.voice
        listener = self.host.runtime.listener
        found = []
        for language in LANGUAGES.values():
            text = language.native_name
            if not voice.has_voice(language.code):
                text = self.l10n.format("{language} (text only, no speech)", language=text)
            if listener is not None and listener.can_listen(language.code):
                text = self.l10n.format("{language} (you can answer by voice)", language=text)
            found.append(Offer(f"lang-{language.code}", text, value=language.code,
                               voice=(language.native_name, language.english_name)))
        return numbered(found)

    def compose_body(self) -> ComposeResult:
        yield self.say(self.l10n.gettext("Choose your language"), classes="title")
        yield self.tiles(self.offers())

    async def take(self, offer: Offer) -> None:
        self.post_message(LanguageChosen(offer.value))
