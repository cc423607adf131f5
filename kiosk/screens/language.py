"""The language view: every registered language in its own name, a page at a time, each saying
what the kiosk can do in it (translations.abilities): text only where nothing speaks it, "you
can answer by voice" where a speech model listens, machine-translated messages where a pair is
installed (EN 5.1.3.14). A catalog no fluent speaker has checked says so, in a muted line."""

from __future__ import annotations

from textual.app import ComposeResult

from kiosk.messages import LanguageChosen
from kiosk.offers import Offer, Pager, numbered
from kiosk.screens.view import View
from translations.abilities import Abilities, language_abilities, office_routes
from translations.catalog import N_, Localizer

PAGE = 7
"""Languages per page in normal text: with "more" and "earlier" every tile keeps a key 1-9,
and four rows of two tiles fit the screen."""
LARGE_PAGE = 3

DRAFT_NOTICE = N_("This text is not yet checked by a native speaker.")


def draft_notice(l10n: Localizer) -> str | None:
    """The notice for a catalog no fluent speaker has checked (None once one has), in it."""
    return l10n.gettext(DRAFT_NOTICE) if l10n.language.review.drafted else None


class LanguageView(View):
    """Choose the language; the choice applies at once and the menu follows."""

    def __init__(self) -> None:
        super().__init__()
        self.pager = Pager(PAGE, LARGE_PAGE)

    def abilities(self) -> list[Abilities]:
        runtime = self.host.runtime
        listener = runtime.listener
        tasks = runtime.actions.context
        return language_abilities(
            runtime.voice.has_voice,
            listener.can_listen if listener is not None else lambda _code: False,
            office_routes(tasks.translator, tasks.office_language))

    def offers(self) -> list[Offer]:
        every = self.abilities()
        large = self.host.large_text
        found = [self.offer(abilities) for abilities in self.pager.shown(every, large)]
        if self.pager.has_next(len(every), large):
            # "Next" too: what a citizen says to see more, as on a step.
            found.append(Offer("page-next", self.l10n.gettext("More languages"),
                               voice=(self.l10n.gettext("Next"),)))
        if self.pager.has_previous:
            found.append(Offer("page-prev", self.l10n.gettext("Earlier languages")))
        return numbered(found)

    def offer(self, abilities: Abilities) -> Offer:
        language = abilities.language
        text = language.native_name
        if not abilities.spoken:
            text = self.l10n.format("{language} (text only, no speech)", language=text)
        if abilities.listens:
            text = self.l10n.format("{language} (you can answer by voice)", language=text)
        if abilities.mt_pairs:
            text = self.l10n.format("{language} (messages can be machine-translated)",
                                    language=text)
        return Offer(f"lang-{language.code}", text, value=language.code,
                     voice=(language.native_name, language.english_name))

    def compose_body(self) -> ComposeResult:
        notice = draft_notice(self.l10n)
        yield self.say(self.l10n.gettext("Choose your language"),
                       classes="title above-notice" if notice else "title")
        if notice:
            yield self.say(notice, id="draft-notice", classes="muted")
        yield self.tiles(self.offers())

    async def text_size_changed(self, large: bool) -> None:
        """Keep the first language the citizen was looking at on the page they now see."""
        self.pager.resized(large)
        await self.rerender()

    async def take(self, offer: Offer) -> None:
        if offer.id in ("page-next", "page-prev"):
            self.pager.turn(offer.id == "page-next")
            await self.rerender()
            self.speak()
        else:
            self.post_message(LanguageChosen(offer.value))
