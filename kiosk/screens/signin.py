"""Sign-in with the citizen's own phone (RFC 8628 device grant): QR code, code and address.

The kiosk never sees a password or e-ID; a thread worker runs the sign-in service's one polling
loop (``DeviceSignIn.wait``) at the interval the service asks for, and posts what happened. In
practice mode and in a practice visit a clearly labelled button approves the sign-in the way a
phone would, through the practice service's own typed call (``practice_approve``).
"""

from __future__ import annotations

import threading

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.worker import get_current_worker

from kiosk.demo import PracticeCodeError
from kiosk.messages import Heading, ServiceTrouble
from kiosk.offers import Offer, numbered
from kiosk.screens.view import View
from kiosk.services.http import ServiceError, ServiceUnavailable
from kiosk.services.signin import DeviceAuthorization
from kiosk.widgets.qr_code import QrCode
from translations.catalog import N_

TRY_AGAIN = N_("Try again")


def spelled(code: str) -> str:
    """A code as it is read out to be typed: one character at a time."""
    return " ".join(code)


class SignInView(View):
    """Dismisses with True once the session holds the signed-in person, False on Back."""

    class Codes(Message):
        """New codes to show, or the sign-in ended without a yes (``status``)."""

        def __init__(self, status: str, auth: DeviceAuthorization) -> None:
            super().__init__()
            self.status = status
            self.auth = auth

    class Approved(Message):
        def __init__(self, patient_id: str, name: str, token: str) -> None:
            super().__init__()
            self.patient_id = patient_id
            self.name = name
            self.token = token

        def __repr__(self) -> str:
            return "SignInView.Approved()"  # the token and the name stay out of any log

    class Failed(Message):
        def __init__(self, msgid: str) -> None:
            super().__init__()
            self.msgid = msgid

    def __init__(self, heading: Heading | None = None) -> None:
        super().__init__()
        self.heading = heading
        """The guide step's prompt and help in the current language, if it has them."""
        self.auth: DeviceAuthorization | None = None
        self.status = "starting"
        self._wake = threading.Event()

    def offers(self) -> list[Offer]:
        gettext = self.l10n.gettext
        if self.auth is None:
            return []
        if self.status in ("expired", "denied"):
            return [Offer("new-code", gettext("Get a new code"), key=1)]
        found = [Offer("code-again", gettext("Say the code again"))]
        if self.host.runtime.visit.demo is not None:
            found.insert(0, Offer("practice-approve",
                                  gettext("Practice: approve without a phone")))
        return numbered(found)

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        prompt, help_text = self.heading() if self.heading else ("", "")
        yield self.say(prompt or l10n.gettext("Sign in with your phone"), classes="title")
        if help_text:
            yield self.say(help_text, classes="muted")
        auth = self.auth
        if auth is None:
            yield self.say(l10n.gettext("Working…"), id="signin-status")
            return
        words = Vertical(
            self.say(l10n.gettext("Scan the square code with your phone's camera.")),
            self.say(l10n.format("Or open {url} on your phone and type this code:",
                                 url=auth.verification_uri)),
            self.say(auth.user_code, id="user-code", classes="code",
                     spoken=spelled(auth.user_code)),
            self.say(self.status_text(), id="signin-status", classes="muted"),
            id="signin-words")
        yield Horizontal(*self.shown.row([QrCode(auth.verification_uri_complete, id="qr"),
                                          words]), id="signin-row")
        yield self.tiles(self.offers())

    def status_text(self) -> str:
        gettext = self.l10n.gettext
        if self.status == "expired":
            return gettext("The code has expired. Get a new code.")
        if self.status == "denied":
            return gettext("Sign-in was stopped on the phone.")
        return gettext("Waiting for you to say yes on your phone…")

    def on_mount(self) -> None:
        self.begin()

    def on_unmount(self) -> None:
        self._wake.set()

    @work(thread=True, exclusive=True, group="signin", exit_on_error=False)
    def begin(self) -> None:
        signin = self.host.runtime.visit.signin
        worker = get_current_worker()

        def sleep(seconds: float) -> bool:
            self._wake.wait(seconds)
            self._wake.clear()
            return not worker.is_cancelled

        try:
            auth = signin.start()
            self.post_message(self.Codes("pending", auth))
            result = signin.wait(auth, sleep)
            if result is None:
                return
            if result.status == "approved" and result.token is not None:
                patient_id, name = signin.whoami(result.token)
                self.post_message(self.Approved(patient_id, name, result.token.access_token))
            else:
                self.post_message(self.Codes(result.status, auth))
        except ServiceError as exc:
            self.post_message(self.Failed(exc.msgid))

    async def on_sign_in_view_codes(self, message: Codes) -> None:
        if not self.alive:
            return
        self.status, self.auth = message.status, message.auth
        await self.rerender()
        self.speak()

    def on_sign_in_view_approved(self, message: Approved) -> None:
        if not self.alive:
            return
        self.host.runtime.session.sign_in(message.patient_id, message.name, message.token)
        self.dismiss(True)

    def on_sign_in_view_failed(self, message: Failed) -> None:
        if not self.alive:
            return
        self.post_message(ServiceTrouble(self.l10n.gettext(message.msgid), self.begin,
                                         TRY_AGAIN))

    @work(thread=True, group="practice", exit_on_error=False)
    def practice_approve(self) -> None:
        auth = self.auth
        if auth is None:
            return
        demo = self.host.runtime.visit.demo
        try:
            if demo is None:
                raise PracticeCodeError("no practice service is running")
            demo.practice_approve(auth.user_code)
        except PracticeCodeError:
            self.post_message(self.Failed(ServiceUnavailable.msgid))
            return
        self._wake.set()

    async def take(self, offer: Offer) -> None:
        if offer.id == "code-again" and self.auth is not None:
            # Letter by letter, for a citizen who types it into their own phone by ear.
            self.host.runtime.voice.say(spelled(self.auth.user_code), self.l10n.lang)
        elif offer.id == "practice-approve":
            self.practice_approve()
        elif offer.id == "new-code":
            self.status, self.auth = "starting", None
            await self.rerender()
            self.begin()

    def go_back(self) -> None:
        self._wake.set()
        self.dismiss(False)

    def poll_now(self) -> None:
        """Ask the service at once instead of after the interval (after a phone said yes)."""
        self._wake.set()
