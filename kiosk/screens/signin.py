"""Sign-in with the citizen's own phone (RFC 8628 device grant): QR code, code and address.

The kiosk never sees a password or e-ID; it polls the sign-in service in a thread worker at the
interval the service asks for. In practice mode a clearly labelled button approves the sign-in
the way a phone would, through the practice service's own typed call (``practice_approve``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button
from textual.worker import get_current_worker

from kiosk.demo import PracticeCodeError
from kiosk.screens.base import KioskScreen
from kiosk.services.http import ServiceError, ServiceUnavailable
from kiosk.services.signin import DeviceAuthorization
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.qr_code import QrCode
from kiosk.widgets.say import Say

MIN_POLL_S = 0.25


class SignInScreen(KioskScreen):
    """Dismisses with True once the session holds the signed-in person, False on Back."""

    CSS_PATH = "signin.tcss"

    def __init__(self, heading: Callable[[], tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.heading = heading
        """The guide step's prompt and help in the current language, if it has them."""
        self.auth: DeviceAuthorization | None = None
        self.status = "starting"
        self._wake = threading.Event()

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        prompt, help_text = self.heading() if self.heading else ("", "")
        yield Say(prompt or l10n.gettext("Sign in with your phone"), classes="title")
        if help_text:
            yield Say(help_text, classes="muted")
        auth = self.auth
        if auth is None:
            yield Say(l10n.gettext("Working…"), id="signin-status")
            return
        with Horizontal(id="signin-row"):
            yield QrCode(auth.verification_uri_complete, id="qr")
            with Vertical(id="signin-words"):
                yield Say(l10n.gettext("Scan the square code with your phone's camera."))
                yield Say(l10n.format("Or open {url} on your phone and type this code:",
                                      url=auth.verification_uri))
                yield Say(auth.user_code, id="user-code", classes="code")
                yield Say(self.status_text(), id="signin-status", classes="muted")
        if self.status in ("expired", "denied"):
            yield BigButton(1, l10n.gettext("Get a new code"), id="new-code")
        elif self.app.runtime.settings.practice_mode:  # type: ignore[attr-defined]
            yield BigButton(1, l10n.gettext("Practice: approve without a phone"),
                            id="practice-approve")

    def status_text(self) -> str:
        gettext = self.l10n.gettext
        if self.status == "expired":
            return gettext("The code has expired. Get a new code.")
        if self.status == "denied":
            return gettext("Sign-in was stopped on the phone.")
        return gettext("Waiting for you to say yes on your phone…")

    def on_mount(self) -> None:
        super().on_mount()
        self.begin()

    def on_unmount(self) -> None:
        self._wake.set()

    @work(thread=True, exclusive=True, group="signin", exit_on_error=False)
    def begin(self) -> None:
        signin = self.app.runtime.signin  # type: ignore[attr-defined]
        worker = get_current_worker()
        try:
            auth = signin.start()
            # mypy cannot solve call_from_thread's generic for a coroutine function.
            self.app.call_from_thread(self.show_status, "pending", auth)  # type: ignore[arg-type]
            while not worker.is_cancelled:
                self._wake.wait(max(auth.interval, MIN_POLL_S))
                self._wake.clear()
                if worker.is_cancelled:
                    return
                result = signin.poll(auth)
                auth.interval = result.interval
                if result.status == "approved" and result.token is not None:
                    patient_id, name = signin.whoami(result.token)
                    self.app.call_from_thread(
                        self.approved, patient_id, name, result.token.access_token
                    )
                    return
                if result.status in ("expired", "denied"):
                    # mypy cannot solve call_from_thread's generic for a coroutine function.
                    self.app.call_from_thread(self.show_status, result.status, auth)  # type: ignore[arg-type]
                    return
        except ServiceError as exc:
            self.app.call_from_thread(self.failed, exc.msgid)

    async def show_status(self, status: str, auth: DeviceAuthorization) -> None:
        if not self.alive:
            return
        self.status, self.auth = status, auth
        await self.rerender()
        self.app.speak_screen(self)  # type: ignore[attr-defined]

    def approved(self, patient_id: str, name: str, token: str) -> None:
        if not self.alive:
            return
        self.app.runtime.session.sign_in(patient_id, name, token)  # type: ignore[attr-defined]
        self.dismiss(True)

    def failed(self, msgid: str) -> None:
        if not self.alive:
            return
        self.app.show_error(self.l10n.gettext(msgid), self.begin)  # type: ignore[attr-defined]

    @work(thread=True, group="practice", exit_on_error=False)
    def practice_approve(self) -> None:
        auth = self.auth
        if auth is None:
            return
        demo = self.app.runtime.demo  # type: ignore[attr-defined]
        try:
            if demo is None:
                raise PracticeCodeError("no practice service is running")
            demo.practice_approve(auth.user_code)
        except PracticeCodeError:
            self.app.call_from_thread(self.failed, ServiceUnavailable.msgid)
            return
        self._wake.set()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "practice-approve":
            event.stop()
            self.practice_approve()
        elif event.button.id == "new-code":
            event.stop()
            self.status, self.auth = "starting", None
            self.run_worker(self.rerender(), group="rerender")
            self.begin()

    def go_back(self) -> None:
        self._wake.set()
        self.dismiss(False)

    def poll_now(self) -> None:
        """Ask the service at once instead of after the interval (after a phone said yes)."""
        self._wake.set()

