"""The step screen: shows the guide's current step, whatever its kind, and passes answers to the
GuideRunner. Service calls (slot lists, actions) run in thread workers; sign-in and the finish
text get screens of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Button, Input

from kiosk.guides.model import Option
from kiosk.guides.runner import AnswerError
from kiosk.screens.base import KioskScreen
from kiosk.screens.error import SIGN_IN_AGAIN
from kiosk.services.http import ServiceError
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say

PAGE = 6
LARGE_PAGE = 3


class StepScreen(KioskScreen):
    """One guide in progress. Re-renders itself for each step; keeps typed drafts and fetched
    options so nothing is lost when an error or a language change redraws it."""

    CSS_PATH = "step.tcss"
    BINDINGS = [  # noqa: RUF012
        Binding("y", "confirm(True)", show=False),
        Binding("n", "confirm(False)", show=False),
    ]

    def __init__(self, runner: Any) -> None:
        super().__init__()
        self.runner = runner
        self.drafts: dict[str, str] = {}
        self.error: str = ""
        self.page = 0
        self.options: list[Option] | None = None
        self._options_for: str | None = None
        self.show_detail = False

    @property
    def private(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.runner.step, "private", False))  # signin, action: none

    def text(self, msgid: str) -> str:
        return self.l10n.format(msgid, **self.runner.values())

    def compose_body(self) -> ComposeResult:
        step = self.runner.step
        if step.prompt:
            yield Say(self.text(step.prompt), classes="title", id="prompt")
        if step.help:
            yield Say(self.text(step.help), classes="muted", id="help")
        yield from getattr(self, f"_compose_{step.kind}")(step)
        error = Say(self.error, classes="error", id="error")
        error.display = bool(self.error)
        yield error

    def on_mount(self) -> None:
        super().on_mount()
        # A task left before its screen was up (a Back tap in the same moment) does not go on
        # to sign in, fetch or send on top of the screen the citizen went back to.
        if self in self.app.screen_stack:
            self.start_step_work()

    def _compose_choice(self, step: Any) -> ComposeResult:
        with Grid(classes="tiles"):
            for number, choice in enumerate(step.choices, start=1):
                yield BigButton(number, self.text(choice.label), value=choice.id,
                                id=f"choice-{choice.id}")

    def _compose_confirm(self, step: Any) -> ComposeResult:
        with Grid(classes="tiles"):
            yield BigButton(1, self.l10n.gettext("Yes"), value="yes", id="confirm-yes")
            yield BigButton(2, self.l10n.gettext("No"), value="no", id="confirm-no")

    def _compose_slot(self, step: Any) -> ComposeResult:
        if self.options is None or self._options_for != step.id:
            yield Say(self.l10n.gettext("Working…"), id="working")
            return
        if not self.options:
            # The guide schema requires an "empty" message on every slot step.
            yield Say(self.text(step.empty or ""), id="empty")
            return
        size = self.page_size(self.app.has_class("large-text"))
        shown = self.options[self.page * size:(self.page + 1) * size]
        # The office or practitioner is worth reading out only when the options differ in it.
        self.show_detail = len({option.detail for option in self.options}) > 1
        with Grid(classes="tiles"):
            number = 0
            for number, option in enumerate(shown, start=1):
                yield BigButton(number, self.option_label(option), value=option.id,
                                id=f"option-{number}")
            if (self.page + 1) * size < len(self.options):
                number += 1
                yield BigButton(number, self.l10n.gettext("Later times"), id="page-next")
            if self.page:
                yield BigButton(number + 1, self.l10n.gettext("Earlier times"), id="page-prev")

    @staticmethod
    def page_size(large: bool) -> int:
        return LARGE_PAGE if large else PAGE

    async def text_size_changed(self, large: bool) -> None:
        """Keep the first time the citizen was looking at on the page they now see."""
        if self.runner.step.kind != "slot" or not self.options:
            return
        first_shown = self.page * self.page_size(not large)
        self.page = first_shown // self.page_size(large)
        await self.rerender()

    def _compose_list(self, step: Any) -> ComposeResult:
        if self.options is None or self._options_for != step.id:
            yield Say(self.l10n.gettext("Working…"), id="working")
            return
        if not self.options:
            yield Say(self.text(step.empty or ""), id="empty")
        else:
            self.show_detail = True
            for number, option in enumerate(self.options, start=1):
                yield Say(self.option_label(option), id=f"item-{number}", classes="list-item")
        yield BigButton(1, self.l10n.gettext("Next"), id="seen")

    def _compose_number(self, step: Any) -> ComposeResult:
        yield from self._compose_entry(step, "number")

    def _compose_text(self, step: Any) -> ComposeResult:
        yield from self._compose_entry(step, "text")

    def _compose_entry(self, step: Any, kind: str) -> ComposeResult:
        unit = getattr(step, "unit", None)  # number steps only
        if unit:
            yield Say(self.l10n.format("Unit: {unit}", unit=self.l10n.gettext(unit)))
        # Numbers are typed the Norwegian way too (72,5), which Textual's number input refuses;
        # the runner checks what was typed and says how to fix it.
        restrict = r"[0-9 ,.\-]*" if kind == "number" else None
        yield Input(self.drafts.get(step.id, ""), id="answer", type="text", restrict=restrict,
                    max_length=getattr(step, "max_length", None) or 0,  # text steps only
                    password=getattr(step, "masked", False))
        yield BigButton(None, self.l10n.gettext("Next"), id="next")

    def _compose_action(self, step: Any) -> ComposeResult:
        yield Say(self.l10n.gettext("Working…"), id="working")

    def _compose_signin(self, step: Any) -> ComposeResult:
        yield Say(self.l10n.gettext("Sign in with your phone"), id="working")

    def _compose_finish(self, step: Any) -> ComposeResult:
        yield from ()

    def option_label(self, option: Option) -> str:
        # Backend text (a medicine's name) is shown as the service wrote it.
        if option.start is not None:
            name = self.l10n.when(option.start)
        else:
            name = self.l10n.gettext(option.label) if option.label_msgid else option.label
        parts = [name]
        if option.note:
            parts.append(self.l10n.gettext(option.note))
        if option.detail and self.show_detail:
            parts.append(option.detail)
        if option.day is not None:
            parts.append(self.l10n.day(option.day))
        return ", ".join(parts)

    def start_step_work(self) -> None:
        """Begin what the current step needs beyond showing it."""
        kind = self.runner.step.kind
        listing = kind in ("slot", "list")
        if listing and (self.options is None or self._options_for != self.runner.step.id):
            self.fetch_options()
        elif kind == "action":
            self.perform()
        elif kind == "signin":
            self.app.sign_in(self.heading, self.signed_in)  # type: ignore[attr-defined]
        elif kind == "finish":
            self.app.show_finish(  # type: ignore[attr-defined]
                self.heading, self.private, self.runner.step.qr)

    def heading(self) -> tuple[str, str]:
        """The current step's prompt and help, in the language of the moment."""
        step = self.runner.step
        return (self.text(step.prompt) if step.prompt else "",
                self.text(step.help) if step.help else "")

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def fetch_options(self) -> None:
        step_id = self.runner.step.id
        try:
            options = self.runner.options()
        except ServiceError as exc:
            self.app.call_from_thread(self.service_failed, exc, self.fetch_options)
            return
        # mypy cannot solve call_from_thread's generic for a coroutine function.
        self.app.call_from_thread(self.options_ready, step_id, options)  # type: ignore[arg-type]

    async def options_ready(self, step_id: str, options: list[Option]) -> None:
        if not self.alive:
            return
        self.options, self._options_for, self.page = options, step_id, 0
        await self.show_step()

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def perform(self) -> None:
        try:
            result = self.runner.perform()
        except ServiceError as exc:
            self.app.call_from_thread(self.service_failed, exc, self.perform)
            return
        if result.ok:
            # mypy cannot solve call_from_thread's generic for a coroutine function.
            self.app.call_from_thread(self.advanced)  # type: ignore[arg-type]
        else:
            # mypy cannot solve call_from_thread's generic for a coroutine function.
            self.app.call_from_thread(self.refused, result.error or ServiceError.msgid,  # type: ignore[arg-type]
                                      result.values)

    async def refused(self, msgid: str, values: dict[str, Any]) -> None:
        """The service said no for a reason the citizen can act on (the time was taken, it was
        already asked for): trying again would only repeat it, so the citizen is taken to the
        guide's ``on_error`` step, or back to the question before, with the reason shown."""
        if not self.alive:
            return
        if self.runner.step.kind == "action" and self.runner.can_go_back:
            self.runner.back()
        self.error = self.l10n.format(msgid, **values)
        self._options_for = None
        await self.show_step()

    def service_failed(self, exc: ServiceError, retry: Callable[[], Any]) -> None:
        """Say what went wrong and offer to try again or call staff; keep every answer. When the
        sign-in ran out, trying again means signing in again first."""
        if not self.alive:
            return
        message = self.l10n.gettext(exc.msgid)
        if exc.needs_sign_in:
            self.app.show_error(  # type: ignore[attr-defined]
                message, lambda: self.sign_in_again(retry), SIGN_IN_AGAIN)
        else:
            self.app.show_error(message, retry)  # type: ignore[attr-defined]

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
                self.app.pop_screen()
            elif session.person is not None and session.person.patient_id == before:
                retry()
            else:
                self.restart()

        self.app.sign_in(self.sign_in_again_heading, done)  # type: ignore[attr-defined]

    def restart(self) -> None:
        """Begin the guide again on a new screen, keeping nothing typed before."""
        guide_id = self.runner.guide.id
        self.app.pop_screen()
        self.app.start_guide(guide_id)  # type: ignore[attr-defined]

    def sign_in_again_heading(self) -> tuple[str, str]:
        gettext = self.l10n.gettext
        return (gettext("You are no longer signed in. Please sign in again."),
                gettext("Your answers are kept. Scan the code with your phone."))

    async def advanced(self) -> None:
        if not self.alive:
            return
        self.error = ""
        self.page = 0
        # A list step visited again is asked again (the runner does the same), never stale.
        self._options_for = None
        await self.show_step()

    async def show_step(self) -> None:
        await self.rerender()
        if not self.alive:
            return  # the visit ended (End, timeout, SIGTERM) while the step was redrawn
        errors = self.query("#error")
        if not errors:
            return  # a second redraw began meanwhile (sign-in closed as a worker finished)
        errors.first(Say).display = bool(self.error)
        step = self.runner.step
        if step.kind not in ("signin", "finish"):
            self.app.speak_screen(self)  # type: ignore[attr-defined]
        if step.kind in ("action", "signin", "finish") or (
            step.kind in ("slot", "list") and self._options_for != step.id
        ):
            self.start_step_work()

    async def answer(self, call: Any, *args: Any) -> None:
        """Pass an answer to the runner; an AnswerError is shown and spoken under the field."""
        try:
            call(*args)
        except AnswerError as exc:
            self.error = self.l10n.format(exc.msgid, **exc.params)
            await self.show_step()
            return
        await self.advanced()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        if not isinstance(button, BigButton):
            return
        event.stop()
        kind = self.runner.step.kind
        if button.id == "page-next":
            self.page += 1
            await self.show_step()
        elif button.id == "page-prev":
            self.page -= 1
            await self.show_step()
        elif button.id == "next":
            await self.submit_entry()
        elif button.id == "seen":
            await self.answer(self.runner.seen)
        elif kind == "choice":
            await self.answer(self.runner.choose, button.value)
        elif kind == "confirm":
            await self.answer(self.runner.confirm, button.value == "yes")
        elif kind == "slot":
            await self.answer(self.runner.pick, button.value, button.text)

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

    async def action_confirm(self, yes: bool) -> None:
        if self.runner.step.kind == "confirm":
            await self.answer(self.runner.confirm, yes)

    def go_back(self) -> None:
        if self.runner.can_go_back:
            self.runner.back()
            self.error = ""
            self._options_for = None
            self.run_worker(self.show_step(), exclusive=True, group="back")
        else:
            self.app.pop_screen()

    async def signed_in(self, ok: bool | None) -> None:
        """The sign-in screen closed: go on if signed in, else back to the question before."""
        if ok:
            self.runner.signed_in()
            await self.advanced()
        elif self.runner.can_go_back:
            self.runner.back()
            await self.show_step()
        else:
            self.app.pop_screen()
