"""How each kind of guide step is drawn and answered: one renderer per step class.

The step view (kiosk/screens/step.py) asks the renderer of its current step for the step's
offers, its widgets, what taking an offer does, and what work begins when the step is shown;
``RENDERERS`` is the registry, keyed by the step classes of kiosk/guides/model.py as the guide
runner's ``ANSWERS`` is. A new kind of step is one model class, one runner method and one
renderer here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from kiosk.guides.model import (
    STEP_TYPES,
    ActionStep,
    ChoiceStep,
    ConfirmStep,
    FinishStep,
    ListStep,
    NumberStep,
    SigninStep,
    SlotStep,
    StepBase,
    TextStep,
)
from kiosk.messages import FinishWanted, SignInWanted
from kiosk.offers import Offer, numbered
from kiosk.voice_grammar import number_values, spoken_times
from kiosk.widgets.say import Say
from translations.numbers import typed_pattern

if TYPE_CHECKING:
    from kiosk.screens.step import StepView

R = TypeVar("R", bound="Renderer")


class Renderer:
    """A kind of step that shows its prompt and help only, and asks nothing."""

    def offers(self, view: StepView, step: Any) -> list[Offer]:
        return []

    def compose(self, view: StepView, step: Any) -> ComposeResult:
        yield from ()

    async def take(self, view: StepView, step: Any, offer: Offer) -> None:
        """Do what the offer stands for."""

    def begin(self, view: StepView, step: Any) -> None:
        """Start what the step needs beyond being shown (a list to fetch, an action)."""

    def ready(self, view: StepView, step: Any) -> bool:
        """True when the step is shown as the citizen will answer it (nothing is pending)."""
        return True

    def spoken_values(self, view: StepView, step: Any) -> dict[str, str]:
        """A question answered with a value: every value as said aloud -> as typed."""
        return {}

    speaks = True
    """The step view speaks the step once drawn (sign-in and finish have views that do)."""


RENDERERS: dict[type[StepBase], Renderer] = {}


def working(view: StepView) -> Say:
    """The wait while a step's worker runs, shown and said: "Translating…" once it has begun
    to machine-translate (a real model may take seconds), else "Working…"."""
    gettext = view.l10n.gettext
    return view.say(gettext("Translating…") if view.translating else gettext("Working…"),
                    id="working")


def renders(*kinds: type[StepBase]) -> Callable[[type[R]], type[R]]:
    """Register a renderer class for step classes."""

    def register(cls: type[R]) -> type[R]:
        for kind in kinds:
            RENDERERS[kind] = cls()
        return cls

    return register


@renders(ChoiceStep)
class ChoiceRenderer(Renderer):
    def offers(self, view: StepView, step: ChoiceStep) -> list[Offer]:
        gettext = view.l10n.gettext
        return numbered(Offer(f"choice-{c.id}", view.text(c.label), value=c.id,
                              voice=tuple(gettext(word) for word in c.voice))
                        for c in step.choices)

    def compose(self, view: StepView, step: ChoiceStep) -> ComposeResult:
        yield view.tiles(self.offers(view, step))

    async def take(self, view: StepView, step: ChoiceStep, offer: Offer) -> None:
        await view.answer(view.runner.choose, offer.value)


@renders(ConfirmStep)
class ConfirmRenderer(Renderer):
    def offers(self, view: StepView, step: ConfirmStep) -> list[Offer]:
        gettext = view.l10n.gettext
        # "Yes" is what sends a booking or a submission when the next step is an action.
        sends = isinstance(view.runner.guide.steps.get(step.yes), ActionStep)
        return [Offer("confirm-yes", gettext("Yes"), key=1, value="yes", consequential=sends),
                Offer("confirm-no", gettext("No"), key=2, value="no")]

    def compose(self, view: StepView, step: ConfirmStep) -> ComposeResult:
        yield view.tiles(self.offers(view, step))

    async def take(self, view: StepView, step: ConfirmStep, offer: Offer) -> None:
        await view.answer(view.runner.confirm, offer.id == "confirm-yes")


class ListingRenderer(Renderer):
    """Steps that show what a service lists: fetched in the background on every visit."""

    def begin(self, view: StepView, step: Any) -> None:
        if not view.has_options_for(step):
            view.fetch_options()

    def ready(self, view: StepView, step: Any) -> bool:
        return view.has_options_for(step)

    def waiting(self, view: StepView, step: Any) -> ComposeResult | None:
        if not view.has_options_for(step):
            return iter([working(view)])
        if not view.options:
            # The guide schema requires an "empty" message on every listing step.
            return iter([view.say(view.text(step.empty), id="empty")])
        return None


@renders(SlotStep)
class SlotRenderer(ListingRenderer):
    def offers(self, view: StepView, step: SlotStep) -> list[Offer]:
        if not view.has_options_for(step) or not view.options:
            return []
        gettext = view.l10n.gettext
        large = view.host.large_text
        # The office or practitioner is worth reading out only when the options differ in it.
        view.show_detail = len({option.detail for option in view.options}) > 1
        found = [Offer(f"option-{n}", view.option_label(option), value=option.id,
                       voice=spoken_times(option.start, view.l10n) if option.start else ())
                 for n, option in enumerate(view.pager.shown(view.options, large), start=1)]
        if view.pager.has_next(len(view.options), large):
            found.append(Offer("page-next", gettext("Later times")))
        if view.pager.has_previous:
            found.append(Offer("page-prev", gettext("Earlier times")))
        return numbered(found)

    def compose(self, view: StepView, step: SlotStep) -> ComposeResult:
        waiting = self.waiting(view, step)
        if waiting is not None:
            yield from waiting
            return
        yield view.tiles(self.offers(view, step))

    async def take(self, view: StepView, step: SlotStep, offer: Offer) -> None:
        if offer.id in ("page-next", "page-prev"):
            view.pager.turn(offer.id == "page-next")
            await view.show_step()
        else:
            await view.answer(view.runner.pick, offer.value, offer.label)


@renders(ListStep)
class ListRenderer(ListingRenderer):
    def offers(self, view: StepView, step: ListStep) -> list[Offer]:
        if not view.has_options_for(step):
            return []
        gettext = view.l10n.gettext
        found = [Offer("seen", gettext("Next"), key=1)]
        if any(option.original for option in view.options or []):
            # The original is one key away from any machine translation, and back again.
            label = (gettext("Show the translation") if view.show_original
                     else gettext("Show the original"))
            found.append(Offer("original", label, key=2))
        return found

    def compose(self, view: StepView, step: ListStep) -> ComposeResult:
        waiting = self.waiting(view, step)
        if waiting is not None:
            yield from waiting
        else:
            view.show_detail = True
            for number, option in enumerate(view.options or [], start=1):
                yield view.say(view.option_label(option), id=f"item-{number}",
                               classes="list-item")
        yield from (view.tile(offer) for offer in self.offers(view, step))

    async def take(self, view: StepView, step: ListStep, offer: Offer) -> None:
        if offer.id == "original":
            view.show_original = not view.show_original
            await view.show_step()
            return
        await view.answer(view.runner.seen)


class EntryRenderer(Renderer):
    """Steps answered by typing into one field, then Next."""

    def offers(self, view: StepView, step: Any) -> list[Offer]:
        return [Offer("next", view.l10n.gettext("Next"))]

    def field(self, view: StepView, step: Any) -> Input:
        """The field the answer is typed into (id "answer"), holding the draft so far."""
        raise NotImplementedError

    def compose(self, view: StepView, step: Any) -> ComposeResult:
        yield self.field(view, step)
        yield Horizontal(*(view.tile(offer) for offer in self.offers(view, step)),
                         id="next-row")

    async def take(self, view: StepView, step: Any, offer: Offer) -> None:
        await view.submit_entry()


@renders(NumberStep)
class NumberRenderer(EntryRenderer):
    def field(self, view: StepView, step: NumberStep) -> Input:
        # Numbers are typed in the language's own form (72,5; ٧٢٫٥), which Textual's number
        # input refuses: the field lets through what the language writes numbers with, and
        # the runner reads it (translations.numbers) and says how to fix it.
        return Input(view.drafts.get(step.id, ""), id="answer", type="text",
                     restrict=typed_pattern(view.l10n.lang))

    def spoken_values(self, view: StepView, step: NumberStep) -> dict[str, str]:
        if step.minimum is None or step.maximum is None:
            return {}
        return number_values(step.minimum, step.maximum, step.decimals, view.l10n.lang)

    def compose(self, view: StepView, step: NumberStep) -> ComposeResult:
        yield view.say(view.l10n.format("Unit: {unit}", unit=view.l10n.gettext(step.unit)))
        yield from super().compose(view, step)


@renders(TextStep)
class TextRenderer(EntryRenderer):
    def field(self, view: StepView, step: TextStep) -> Input:
        return Input(view.drafts.get(step.id, ""), id="answer", type="text",
                     max_length=step.max_length or 0, password=step.masked)


@renders(ActionStep)
class ActionRenderer(Renderer):
    def compose(self, view: StepView, step: ActionStep) -> ComposeResult:
        yield working(view)

    def begin(self, view: StepView, step: ActionStep) -> None:
        view.perform()

    def ready(self, view: StepView, step: ActionStep) -> bool:
        return False


@renders(SigninStep)
class SigninRenderer(Renderer):
    speaks = False

    def compose(self, view: StepView, step: SigninStep) -> ComposeResult:
        yield view.say(view.l10n.gettext("Sign in with your phone"), id="working")

    def begin(self, view: StepView, step: SigninStep) -> None:
        view.post_message(SignInWanted(view, view.heading, view.signed_in))

    def ready(self, view: StepView, step: SigninStep) -> bool:
        return False


@renders(FinishStep)
class FinishRenderer(Renderer):
    speaks = False

    def begin(self, view: StepView, step: FinishStep) -> None:
        view.post_message(FinishWanted(view, view.heading, view.private, step.qr))

    def ready(self, view: StepView, step: FinishStep) -> bool:
        return False


assert set(RENDERERS) == set(STEP_TYPES), "every step kind needs its renderer"
