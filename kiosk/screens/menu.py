"""The menu: one tile per bundled guide, a page at a time, plus language; repeats the idle-time
notice. Pages keep every tile on a number key and on the screen without scrolling. The first
screen in a newly chosen language, so it says when that language's text is still a draft."""

from __future__ import annotations

from textual.app import ComposeResult

from kiosk.messages import GuideChosen, LanguageWanted
from kiosk.offers import Offer, Pager, numbered
from kiosk.screens.idle import idle_notice
from kiosk.screens.language import draft_notice
from kiosk.screens.view import View

PAGE = 4
LARGE_PAGE = 2


class MenuView(View):
    """What do you want to do? Guides come from runtime.guides, in their order."""

    def __init__(self) -> None:
        super().__init__()
        self.pager = Pager(PAGE, LARGE_PAGE)
        self.from_start = False
        """Show the first page when the menu comes back (a new task, not a step back)."""

    @property
    def page(self) -> int:
        return self.pager.page

    def offers(self) -> list[Offer]:
        gettext = self.l10n.gettext
        guides = self.host.runtime.guides
        large = self.host.large_text
        found = [Offer(f"guide-{guide.id}", gettext(guide.title), value=guide.id)
                 for guide in self.pager.shown(guides, large)]
        if self.pager.has_next(len(guides), large):
            found.append(Offer("page-next", gettext("More tasks")))
        if self.pager.has_previous:
            found.append(Offer("page-prev", gettext("Earlier tasks")))
        found.append(Offer("change-language", gettext("Change language")))
        return numbered(found)

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        notice = draft_notice(l10n)
        yield self.say(l10n.gettext("What do you want to do?"),
                       classes="title above-notice" if notice else "title")
        if notice:
            yield self.say(notice, id="draft-notice", classes="muted")
        yield self.tiles(self.offers(), columns=1)
        yield self.say(idle_notice(l10n, self.host.runtime.settings.idle_timeout_s),
                       classes="muted")

    async def shown_again(self) -> None:
        """Back on top: after a finished task, from the first page."""
        if self.from_start:
            self.from_start = False
            self.pager.page = 0
            await self.rerender()

    async def text_size_changed(self, large: bool) -> None:
        """Keep the first task the citizen was looking at on the page they now see."""
        self.pager.resized(large)
        await self.rerender()

    async def take(self, offer: Offer) -> None:
        if offer.id in ("page-next", "page-prev"):
            self.pager.turn(offer.id == "page-next")
            await self.rerender()
            self.speak()
        elif offer.id == "change-language":
            self.post_message(LanguageWanted())
        else:
            self.post_message(GuideChosen(offer.value))
