"""The step view: shows the guide's current step, whatever its kind, and passes answers to the
GuideRunner. What each kind draws and offers is its renderer's (kiosk/screens/step_kinds.py);
service calls (lists, actions) run in thread workers that post their results; sign-in and the
finish text are views of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input

from kiosk.guides.model import ActionResult, ActionStep, ConfirmStep, Option, TextStep
from kiosk.guides.runner import ANSWERS, AnswerError, GuideRunner
from kiosk.messages import GoBack, GuideRestart, ServiceTrouble, SignInWanted
from kiosk.offers import Offer, Pager
from kiosk.screens.error import SIGN_IN_AGAIN, TRY_AGAIN
from kiosk.screens.step_kinds import RENDERERS, Renderer
from kiosk.screens.view import View
from kiosk.services.http import ServiceError
from kiosk.services.tasks.machine import translating_cue
from translations.catalog import N_

PAGE = 6
LARGE_PAGE = 3

MACHINE_TRANSLATED = N_("Machine-translated: {text}")
"""How a machine translation is shown and said: always labelled, never passed off as the
service's own words."""


class StepView(View):
    """One guide in progress. Redraws itself for each step; keeps typed drafts and fetched
    options so nothing is lost when an error or a language change redraws it."""

    class OptionsReady(Message):
        def __init__(self, step_id: str, options: list[Option]) -> None:
            super().__init__()
            self.step_id = step_id
            self.options = options

    class Performed(Message):
        def __init__(self, result: ActionResult) -> None:
            super().__init__()
            self.result = result

    class Translating(Message):
        """A worker is about to machine-translate the office's words: the wait may be long."""

    class Failed(Message):
        def __init__(self, error: ServiceError, retry: Callable[[], Any]) -> None:
            super().__init__()
            self.error = error
            self.retry = retry

    def __init__(self, runner: GuideRunner) -> None:
        super().__init__()
        self.runner = runner
        self.drafts: dict[str, str] = {}
        self.error: str = ""
        self.pager = Pager(PAGE, LARGE_PAGE)
        self.options: list[Option] | None = None
        self._options_for: str | None = None
        self.show_detail = False
        self.show_original = False
        """Machine-translated items show the text as the service wrote it instead."""
        self.translating = False
        """The step's worker is machine-translating: the wait says "Translating…"."""

    @property
    def renderer(self) -> Renderer:
        return RENDERERS[type(self.runner.step)]

    @property
    def page(self) -> int:
        return self.pager.page

    @property
    def private(self) -> bool:  # type: ignore[override]  # a class flag elsewhere
        return bool(getattr(self.runner.step, "private", False))

    @property
    def asks_yes_no(self) -> bool:
        return isinstance(self.runner.step, ConfirmStep)

    @property
    def takes_dictation(self) -> bool:
        return isinstance(self.runner.step, TextStep)

    def text(self, msgid: str) -> str:
        return self.l10n.format(msgid, **self.runner.values())

    def has_options_for(self, step: Any) -> bool:
        return self.options is not None and self._options_for == step.id

    # -- drawing ------------------------------------------------------------------------------

    def offers(self) -> list[Offer]:
        return self.renderer.offers(self, self.runner.step)

    def spoken_values(self) -> dict[str, str]:
        return self.renderer.spoken_values(self, self.runner.step)

    async def enter_spoken(self, value: str) -> None:
        """A value said aloud: shown in the field as if typed, then answered."""
        fields = self.query("#answer")
        if fields:
            fields.first(Input).value = value
            await self.submit_entry()

    def compose_body(self) -> ComposeResult:
        step = self.runner.step
        prompt, help_text = getattr(step, "prompt", ""), getattr(step, "help", "")
        if prompt:
            yield self.say(self.text(prompt), classes="title", id="prompt")
        if help_text:
            yield self.say(self.text(help_text), classes="muted", id="help")
        yield from self.renderer.compose(self, step)
        error = self.say(self.error, classes="error", id="error")
        error.display = bool(self.error)
        yield error

    def option_label(self, option: Option) -> str:
        # Backend text (a medicine's name) is shown as the service wrote it.
        if option.start is not None:
            name = self.l10n.when(option.start)
        elif option.original:
            name = (option.original if self.show_original
                    else self.l10n.format(MACHINE_TRANSLATED, text=option.label))
        else:
            name = self.l10n.gettext(option.label) if option.label_msgid else option.label
        return self.shown.joined([
            name, self.l10n.gettext(option.note) if option.note else "",
            option.detail if self.show_detail else "",
            self.l10n.day(option.day) if option.day is not None else "",
        ])

    def heading(self) -> tuple[str, str]:
        """The current step's prompt and help, in the language of the moment."""
        step = self.runner.step
        prompt, help_text = getattr(step, "prompt", ""), getattr(step, "help", "")
        return (self.text(prompt) if prompt else "", self.text(help_text) if help_text else "")

    async def text_size_changed(self, large: bool) -> None:
        """Keep the first time the citizen was looking at on the page they now see."""
        self.pager.resized(large)
        await self.rerender()

    # -- the step's work ----------------------------------------------------------------------

    def on_mount(self) -> None:
        # A task left before its view was up (a Back tap in the same moment) does not go on
        # to sign in, fetch or send on top of the view the citizen went back to.
        if self.alive:
            self.renderer.begin(self, self.runner.step)

    async def show_step(self) -> None:
        self.translating = False
        await self.rerender()
        if not self.alive:
            return  # the visit ended (End, timeout, SIGTERM) while the step was redrawn
        errors = self.query("#error")
        if not errors:
            return  # a second redraw began meanwhile (sign-in closed as a worker finished)
        errors.first().display = bool(self.error)
        step = self.runner.step
        if self.renderer.speaks:
            self.speak()
        self.renderer.begin(self, step)

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def fetch_options(self) -> None:
        step_id = self.runner.step.id
        try:
            with translating_cue(lambda: self.post_message(self.Translating())):
                options = self.runner.options()
        except ServiceError as exc:
            self.post_message(self.Failed(exc, self.fetch_options))
            return
        self.post_message(self.OptionsReady(step_id, options))

    async def on_step_view_translating(self, message: Translating) -> None:
        """Show and say "Translating…" where "Working…" was (the worker goes on)."""
        if not self.alive or self.renderer.ready(self, self.runner.step):
            return
        self.translating = True
        await self.rerender()
        self.speak()

    async def on_step_view_options_ready(self, message: OptionsReady) -> None:
        if not self.alive:
            return
        self.options, self._options_for = message.options, message.step_id
        self.pager.page = 0
        self.show_original = False
        await self.show_step()

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def perform(self) -> None:
        try:
            with translating_cue(lambda: self.post_message(self.Translating())):
                result = self.runner.perform()
        except ServiceError as exc:
            self.post_message(self.Failed(exc, self.perform))
            return
        self.post_message(self.Performed(result))

    async def on_step_view_performed(self, message: Performed) -> None:
        if message.result.ok:
            await self.advanced()
        else:
            await self.refused(message.result.error or ServiceError.msgid,
                               message.result.values)

    async def refused(self, msgid: str, values: dict[str, Any]) -> None:
        """The service said no for a reason the citizen can act on (the time was taken, it was
        already asked for): trying again would only repeat it, so the citizen is taken to the
        guide's ``on_error`` step, or back to the question before, with the reason shown."""
        if not self.alive:
            return
        if isinstance(self.runner.step, ActionStep) and self.runner.can_go_back:
            self.runner.back()
        self.error = self.l10n.format(msgid, **values)
        self._options_for = None
        await self.show_step()

    def on_step_view_failed(self, message: Failed) -> None:
        """Say what went wrong and offer to try again or call staff; keep every answer. When the
        sign-in ran out, trying again means signing in again first."""
        if not self.alive:
            return
        exc, retry = message.error, message.retry
        text = self.l10n.gettext(exc.msgid)
        if exc.needs_sign_in:
            self.post_message(ServiceTrouble(text, lambda: self.sign_in_again(retry),
                                             SIGN_IN_AGAIN))
        else:
            self.post_message(ServiceTrouble(text, retry, TRY_AGAIN))

    def sign_in_again(self, retry: Callable[[], Any]) -> None:
        """A new sign-in on the phone; the same person goes on where they were, with every
        answer kept. Someone else signing in starts the guide afresh (the Session has already
        forgotten the first person's answers). Saying no leaves the task: nothing in it can be
        done without signing in."""
        session = self.runner.session
        before = session.person.patient_id if session.person else None

        def done(ok: bool | None) -> None:
            if not ok:
                session.sign_out()
                self.post_message(GoBack())
            elif session.person is not None and session.person.patient_id == before:
                retry()
            else:
                self.post_message(GuideRestart(self.runner.guide.id))

        self.post_message(SignInWanted(self, self.sign_in_again_heading, done))

    def sign_in_again_heading(self) -> tuple[str, str]:
        gettext = self.l10n.gettext
        return (gettext("You are no longer signed in. Please sign in again."),
                gettext("Your answers are kept. Scan the code with your phone."))

    async def advanced(self) -> None:
        if not self.alive:
            return
        self.error = ""
        self.pager.page = 0
        # A list step visited again is asked again (the runner does the same), never stale.
        self._options_for = None
        await self.show_step()

    # -- answers ------------------------------------------------------------------------------

    async def take(self, offer: Offer) -> None:
        await self.renderer.take(self, self.runner.step, offer)

    async def answer(self, call: Callable[..., Any], *args: Any) -> None:
        """Pass an answer to the runner; an AnswerError is shown and spoken under the field."""
        try:
            call(*args)
        except AnswerError as exc:
            self.error = self.l10n.format(exc.msgid, **exc.params)
            await self.show_step()
            return
        await self.advanced()

    async def confirm(self, yes: bool) -> None:
        """The y and n keys on a yes/no question."""
        offer_id = "confirm-yes" if yes else "confirm-no"
        offer = next((o for o in self.offers() if o.id == offer_id), None)
        if offer is not None:
            await self.take(offer)

    async def on_input_changed(self, event: Input.Changed) -> None:
        self.drafts[self.runner.step.id] = event.value

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.submit_entry()

    async def submit_entry(self) -> None:
        value = self.query_one("#answer", Input).value
        if self.runner.step.kind == "number":
            await self.answer(self.runner.enter_number, value)
        else:
            await self.answer(self.runner.enter_text, value)

    def go_back(self) -> None:
        if self.runner.can_go_back:
            self.runner.back()
            self.error = ""
            self._options_for = None
            self.run_worker(self.show_step(), exclusive=True, group="back")
        else:
            self.post_message(GoBack())

    @property
    def can_restart(self) -> bool:
        """The step is a question, which can be asked again from empty (never an action step:
        beginning it again would send again)."""
        return ANSWERS[type(self.runner.step)].question

    async def restart_step(self) -> None:
        """Ask the question again from empty (the helper panel): what was typed and any error
        under it go, and the step is said again."""
        if not self.can_restart:
            return
        self.drafts.pop(self.runner.step.id, None)
        self.error = ""
        await self.show_step()

    async def signed_in(self, ok: bool | None) -> None:
        """The sign-in view closed: go on if signed in, else back to the question before."""
        if ok:
            self.runner.signed_in()
            await self.advanced()
        elif self.runner.can_go_back:
            self.runner.back()
            await self.show_step()
        else:
            self.post_message(GoBack())
