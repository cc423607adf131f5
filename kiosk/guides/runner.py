"""GuideRunner: walks a citizen through a Guide one step at a time, with no UI code at all.

The UI shows ``runner.step`` and calls the method that answers its kind (``choose``,
``confirm``, ``pick``, ``seen``, ``enter_number``, ``enter_text``, ``signed_in``, ``perform``).
Each one checks the answer, keeps it in the Session and moves on; a wrong answer raises
AnswerError, whose msgid says in plain English what to fix. Answers live only in the Session, so
``session.wipe()`` forgets them.

One registry, ``ANSWERS``, pairs each step kind (a class of kiosk.guides.model) with the method
that answers it: ``@answers(NumberStep)`` on ``enter_number`` registers it, and makes the method
refuse (WrongStep) when the current step is of another kind and hand it the step, typed. A new
kind is one model class, one such method and one renderer in the step screen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

from kiosk.guides.model import (
    STEP_TYPES,
    ActionPort,
    ActionResult,
    ActionStep,
    ChoiceStep,
    ConfirmStep,
    FinishStep,
    Guide,
    ListStep,
    NumberStep,
    Option,
    SigninStep,
    SlotStep,
    Step,
    StepBase,
    TextStep,
)
from kiosk.session import Session
from translations.catalog import N_
from translations.numbers import NotANumber, decimal_places, parse_number

NOT_A_CHOICE = N_("Please choose one of the answers on the screen.")
NOT_AN_OPTION = N_("That is no longer in the list. Please choose one of those shown.")
NUMBER_EMPTY = N_("Please type a number. The box is empty.")
NOT_A_NUMBER = N_("Please type the number with digits only, for example {whole} or {decimal}.")
NOT_WHOLE = N_("Please type a whole number, without a comma.")
TOO_MANY_DECIMALS = N_("Please use at most {decimals} digits after the comma or point.")
OUT_OF_RANGE = N_("Please enter a number between {minimum} and {maximum} {unit}.")
TOO_SMALL = N_("Please enter a number of at least {minimum} {unit}.")
TOO_LARGE = N_("Please enter a number of at most {maximum} {unit}.")
TEXT_EMPTY = N_("Please type your answer. The box is empty.")
TEXT_TOO_LONG = N_(
    "Please make your answer shorter: at most {max_length} characters. It has {length}."
)

EXAMPLE = {"whole": 72, "decimal": Decimal("72.5")}
"""The numbers NOT_A_NUMBER shows, written as the citizen's language writes numbers."""


class AnswerError(ValueError):
    """The citizen's answer cannot be used; ``msgid`` (with ``params``) says how to fix it."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


class WrongStep(RuntimeError):
    """The UI called a method that does not fit the current step (a programming error)."""


@dataclass(frozen=True)
class Answer:
    """How the runner takes the answer to one kind of step."""

    method: str | None
    """The GuideRunner method that takes it, e.g. ``choose`` (None: nothing to answer)."""
    question: bool
    """The step asks the citizen something, so ``back()`` returns to it."""


ANSWERS: dict[type[StepBase], Answer] = {}
"""Each step kind -> the GuideRunner method that answers it (FinishStep has none: the guide is
done). Filled by ``@answers``."""

S = TypeVar("S", bound=StepBase)
P = ParamSpec("P")
R = TypeVar("R")


def answers(
    kind: type[S], *, question: bool = False,
) -> Callable[[Callable[Concatenate[GuideRunner, S, P], R]],
              Callable[Concatenate[GuideRunner, P], R]]:
    """Register a GuideRunner method as the answer to ``kind`` steps. Callers leave the step
    out (``runner.choose("red")``); the method gets the current step, which must be a ``kind``
    step (else WrongStep)."""

    def register(
        method: Callable[Concatenate[GuideRunner, S, P], R],
    ) -> Callable[Concatenate[GuideRunner, P], R]:
        ANSWERS[kind] = Answer(method.__name__, question)

        @functools.wraps(method)
        def answer(self: GuideRunner, *args: P.args, **kwargs: P.kwargs) -> R:
            return method(self, self._expect(kind), *args, **kwargs)

        return answer

    return register


class GuideRunner:
    """The state of one citizen's way through one guide."""

    def __init__(self, guide: Guide, session: Session, actions: ActionPort) -> None:
        self.guide = guide
        self.session = session
        self.actions = actions
        self._history: list[str] = []
        """Earlier question steps, most recent last, for back()."""
        session.start_guide(guide.id)
        self._current = guide.start
        self._enter(guide.start)

    # -- where we are -----------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.guide.step(self._current)

    @property
    def finished(self) -> bool:
        return isinstance(self.step, FinishStep)

    @property
    def can_go_back(self) -> bool:
        return bool(self._history) and not self.finished

    def back(self) -> None:
        """Return to the previous question; sign-in and action steps are never returned to."""
        if not self.can_go_back:
            raise WrongStep("there is no earlier question to go back to")
        self._enter(self._history.pop())

    def values(self) -> dict[str, str]:
        """Placeholder values for the step texts: every answer's label, and ``name``."""
        values = dict(self.session.labels)
        if self.session.person is not None:
            values["name"] = self.session.person.display_name
        return values

    def options(self) -> list[Option]:
        """What the current slot or list step shows; asked once per visit to the step."""
        step = self.step
        if not isinstance(step, SlotStep | ListStep):
            raise WrongStep(f"step '{step.id}' is a {step.kind} step; it lists nothing")
        if step.id not in self.session.fetched:
            self.session.fetched[step.id] = self.actions.options(step.source, self.session)
        options: list[Option] = self.session.fetched[step.id]
        return options

    # -- answers, one method per kind of step ------------------------------------------------

    @answers(ChoiceStep, question=True)
    def choose(self, step: ChoiceStep, choice_id: str) -> None:
        choice = next((c for c in step.choices if c.id == choice_id), None)
        if choice is None:
            raise AnswerError(NOT_A_CHOICE)
        self.session.remember(step.key, choice.id, choice.label)
        self._go(choice.next)

    @answers(ConfirmStep, question=True)
    def confirm(self, step: ConfirmStep, yes: bool) -> None:
        self.session.remember(step.key, yes)
        self._go(step.yes if yes else step.no)

    @answers(SlotStep, question=True)
    def pick(self, step: SlotStep, option_id: str, label: str) -> None:
        """Choose an option of a slot step; ``label`` is how the UI shows it (e.g. the time)."""
        if not any(option.id == option_id for option in self.options()):
            raise AnswerError(NOT_AN_OPTION)
        self.session.remember(step.key, option_id, label)
        self._go(step.next)

    @answers(ListStep, question=True)
    def seen(self, step: ListStep) -> None:
        """The citizen has read a list step; go on."""
        self._go(step.next)

    @answers(NumberStep, question=True)
    def enter_number(self, step: NumberStep, text: str) -> None:
        """A number typed in the citizen's language's form (translations.numbers): "72,5" in
        Norwegian, "72.5" in English, "٧٢٫٥" in Arabic. It is kept as typed for the texts."""
        typed = text.strip()
        if not typed:
            raise AnswerError(NUMBER_EMPTY)
        try:
            number = parse_number(typed, self.session.prefs.language)
        except NotANumber:
            raise AnswerError(NOT_A_NUMBER, **EXAMPLE) from None
        places = decimal_places(number)
        if places > step.decimals:
            if step.decimals == 0:
                raise AnswerError(NOT_WHOLE)
            raise AnswerError(TOO_MANY_DECIMALS, decimals=step.decimals)
        value = float(number)
        self._check_range(step, value)
        self.session.remember(step.key, value if places else int(number), typed)
        self._go(step.next)

    @answers(TextStep, question=True)
    def enter_text(self, step: TextStep, text: str) -> None:
        answer = text.strip()
        if not answer:
            raise AnswerError(TEXT_EMPTY)
        if step.max_length is not None and len(answer) > step.max_length:
            raise AnswerError(TEXT_TOO_LONG, max_length=step.max_length, length=len(answer))
        # A masked answer gets no label, so no {placeholder} can show or speak it.
        self.session.remember(step.key, answer, None if step.masked else answer)
        self._go(step.next)

    @answers(SigninStep)
    def signed_in(self, step: SigninStep) -> None:
        """Move past a sign-in step once the Session holds the signed-in person."""
        if self.session.person is None:
            raise WrongStep("signed_in() called before session.sign_in()")
        self._go(step.next)

    @answers(ActionStep)
    def perform(self, step: ActionStep) -> ActionResult:
        """Carry out the action step's service call; move on when it worked.

        On failure the runner stays on the step (the citizen may try again) unless the step
        names an ``on_error`` step. A ServiceError from the services propagates unchanged.
        """
        result = self.actions.perform(step.action, self.session)
        if result.ok:
            for key, value in result.values.items():
                self.session.remember(key, value, value if isinstance(value, str) else str(value))
            # What is done cannot be undone by going back.
            self._history.clear()
            self._go(step.queued if result.queued and step.queued else step.next)
        elif step.on_error:
            self._go(step.on_error)
        return result

    # -- moving -----------------------------------------------------------------------------

    def _expect(self, kind: type[S]) -> S:
        step = self.step
        if not isinstance(step, kind):
            raise WrongStep(f"step '{step.id}' is a {step.kind} step, not a {kind.kind} step")
        return step

    def _go(self, target: str) -> None:
        if target in self._history:
            # Going to an earlier question (e.g. "no" on a confirm) is going back to it.
            del self._history[self._history.index(target):]
        elif ANSWERS[type(self.step)].question:
            self._history.append(self._current)
        self._enter(target)

    def _enter(self, step_id: str) -> None:
        self._current = step_id
        # Each visit to a slot step asks the service again, so the list is never stale.
        self.session.fetched.pop(step_id, None)
        step = self.step
        if isinstance(step, SigninStep) and self.session.person is not None:
            self._go(step.next)

    def _check_range(self, step: NumberStep, value: float) -> None:
        low, high = step.minimum, step.maximum
        if (low is None or value >= low) and (high is None or value <= high):
            return
        unit = step.unit or ""
        if low is not None and high is not None:
            raise AnswerError(OUT_OF_RANGE, minimum=_plain(low), maximum=_plain(high), unit=unit)
        if low is not None:
            raise AnswerError(TOO_SMALL, minimum=_plain(low), unit=unit)
        if high is not None:
            raise AnswerError(TOO_LARGE, maximum=_plain(high), unit=unit)


ANSWERS[FinishStep] = Answer(None, question=False)  # the guide is done
assert set(ANSWERS) == set(STEP_TYPES), "every step kind needs its answer in GuideRunner"


def _plain(number: float) -> int | Decimal:
    """72.0 -> 72, 72.5 -> Decimal("72.5"): a number the Localizer writes in the citizen's
    language (72,5), and that reads plainly in the English message of the error."""
    return int(number) if number.is_integer() else Decimal(str(number))
