"""Sign-in with the citizen's own phone: the OAuth 2.0 device authorization grant (RFC 8628).

The kiosk shows a QR code and a short code; the citizen approves on their phone; the kiosk
polls the token endpoint at the interval the server asks for (5 s when it does not say, 5 s more
after each ``slow_down``). The kiosk never sees a password. ``poll`` asks once and never sleeps;
``wait`` polls until the sign-in ends, sleeping through a function the caller passes in, so a UI
worker can wake or cancel it and tests need not wait. The endpoints are the identity provider's,
found by ``Discovery`` (the FHIR server's SMART configuration, then the provider's metadata); the
request asks for SMART scopes and names the FHIR server as the token's audience. Whom the sign-in
names is decided by ``WhoSignedIn`` (SMART ``patient``, or a verified id_token). ``sign_out``
revokes the token (RFC 7009) where the provider offers revocation. The access token is handed to
the caller for the Session and kept nowhere else; it is never logged.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.clock import Clock, SystemClock
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.health.fhirdata import person_name
from kiosk.services.http import BadResponse, ServiceError, ServiceRejected
from kiosk.services.id_token import IdTokenVerifier, SignInRefused
from kiosk.services.identity import WhoSignedIn
from kiosk.services.smart import DEVICE_GRANT, SIGN_IN_SCOPES
from kiosk.session import Session
from translations.catalog import N_

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 5
"""RFC 8628 section 3.2: without an ``interval`` in the answer, wait 5 seconds between polls."""
SLOW_DOWN_STEP_S = 5
"""RFC 8628 section 3.5: after slow_down, poll 5 seconds less often from then on."""
MIN_WAIT_S = 0.25
"""``wait`` never polls more often than this, even when the service allows it (interval 0)."""

PollStatus = Literal["pending", "slow_down", "approved", "expired", "denied"]
FINAL_STATUSES: frozenset[PollStatus] = frozenset({"approved", "expired", "denied"})

STATUS_MSGIDS: dict[PollStatus, str] = {
    "pending": N_("Waiting for you to say yes on your phone…"),
    "slow_down": N_("Waiting for you to say yes on your phone…"),
    "approved": N_("You are signed in."),
    "expired": N_("The code has expired. Get a new code."),
    "denied": N_("Sign-in was stopped on the phone."),
}
"""What the citizen sees and hears for each outcome of a poll."""


class SignInRejected(ServiceRejected):
    """The sign-in service refused the kiosk's request (an OAuth error other than the RFC 8628
    outcomes): e.g. a code used twice, an unknown client, a grant the service does not offer."""

    @property
    def msgid(self) -> str:  # type: ignore[override]  # computed by ServiceRejected; fixed here
        return N_("Sign-in did not work. Get a new code, or ask a staff member for help.")


@dataclass
class DeviceAuthorization:
    """One sign-in attempt. ``interval`` grows when the server says slow_down."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int
    expires_at: float = float("inf")
    """Clock.monotonic() at which the codes stop working (start() sets it; else the server says)."""
    nonce: str | None = field(default=None, repr=False)
    """Sent with the request; an id_token that carries a nonce must carry this one."""


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    patient_id: str
    expires_in: int


@dataclass(frozen=True)
class PollResult:
    status: PollStatus
    interval: int
    token: TokenResponse | None = None

    @property
    def msgid(self) -> str:
        """What to show and say for this outcome."""
        return STATUS_MSGIDS[self.status]

    @property
    def final(self) -> bool:
        """True once polling this device code again can only fail: it is used or dead."""
        return self.status in FINAL_STATUSES


def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadResponse(f"sign-in answer: field {name!r} is missing or not a {kind.__name__}")
    return value


def _refused(exc: ServiceRejected) -> ServiceRejected:
    """A 4xx OAuth error as SignInRejected (its own message); server failures stay as they are."""
    if exc.status >= 500 or exc.code is None:
        return exc
    return SignInRejected(exc.status, exc.detail, code=exc.code, where="sign-in")


class DeviceSignIn:
    """Start a device sign-in, poll for its result, find out whom it signed in, sign out."""

    def __init__(
        self,
        discovery: Discovery,
        fhir: FhirClient,
        client_id: str,
        *,
        scope: str = SIGN_IN_SCOPES,
        audience: str | None = None,
        national_id_claim: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``audience`` is the resource the token is for (default: the FHIR base URL)."""
        self.discovery = discovery
        self.fhir = fhir
        self.client_id = client_id
        self.scope = scope
        self.audience = audience or fhir.http.base_url
        self.clock = clock or SystemClock()
        self.who = WhoSignedIn(fhir, IdTokenVerifier(discovery.pool, client_id),
                               national_id_claim=national_id_claim)

    def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        return self.discovery.pool.request("POST", url, data=form)

    def start(self) -> DeviceAuthorization:
        """Ask for a new device code and user code (each attempt gets fresh, single-use codes)."""
        nonce = secrets.token_urlsafe(24)
        try:
            body = self._post(self.discovery.service().device_authorization, {
                "client_id": self.client_id, "scope": self.scope, "nonce": nonce,
                # RFC 8707 names the API the token is for; SMART App Launch calls it aud.
                "resource": self.audience, "aud": self.audience,
            })
        except ServiceRejected as exc:
            raise _refused(exc) from exc
        expires_in = _field(body, "expires_in", int)
        uri = _field(body, "verification_uri", str)
        interval = body.get("interval")
        if interval is None:
            interval = DEFAULT_INTERVAL_S
        if not isinstance(interval, int | float) or isinstance(interval, bool) or interval < 0:
            raise BadResponse("sign-in answer: field 'interval' is not a number of seconds")
        log.info("sign-in started")
        return DeviceAuthorization(
            device_code=_field(body, "device_code", str),
            user_code=_field(body, "user_code", str),
            verification_uri=uri,
            verification_uri_complete=str(body.get("verification_uri_complete") or uri),
            expires_in=expires_in,
            interval=math.ceil(interval),
            expires_at=self.clock.monotonic() + expires_in,
            nonce=nonce,
        )

    def poll(self, auth: DeviceAuthorization) -> PollResult:
        """Ask once whether the citizen has approved. Updates ``auth.interval`` on slow_down.

        A device code is single-use: polling again after "approved" is refused by the service
        (SignInRejected, code ``invalid_grant``). Other refusals raise SignInRejected too.
        """
        if self.clock.monotonic() >= auth.expires_at:
            log.info("sign-in code expired")
            return PollResult("expired", auth.interval)
        service = self.discovery.service()
        try:
            body = self._post(service.token, {
                "grant_type": DEVICE_GRANT, "device_code": auth.device_code,
                "client_id": self.client_id,
            })
        except ServiceRejected as exc:
            if exc.code == "authorization_pending":
                return PollResult("pending", auth.interval)
            if exc.code == "slow_down":
                auth.interval += SLOW_DOWN_STEP_S
                log.info("sign-in: asked to slow down, polling every %d s", auth.interval)
                return PollResult("slow_down", auth.interval)
            if exc.code == "expired_token":
                log.info("sign-in code expired")
                return PollResult("expired", auth.interval)
            if exc.code == "access_denied":
                log.info("sign-in denied on the phone")
                return PollResult("denied", auth.interval)
            raise _refused(exc) from exc
        token_type = body.get("token_type")
        if token_type is not None and str(token_type).lower() != "bearer":
            raise BadResponse("sign-in answer: the token is not a Bearer token")
        access_token = _field(body, "access_token", str)
        try:
            patient_id = self.who.patient_id(body, service, auth.nonce, access_token)
        except SignInRefused as exc:
            log.warning("sign-in refused: %s", exc.cause)
            self.revoke(access_token)
            raise
        except ServiceError as exc:
            log.warning("sign-in: who signed in could not be found (%s)", type(exc).__name__)
            self.revoke(access_token)
            raise
        token = TokenResponse(access_token=access_token, patient_id=patient_id,
                              expires_in=int(body.get("expires_in") or 0))
        log.info("sign-in approved")
        return PollResult("approved", auth.interval, token)

    def wait(self, auth: DeviceAuthorization, sleep: Callable[[float], bool]) -> PollResult | None:
        """Poll until the sign-in is approved, denied or expired, and return that result.

        Before each poll calls ``sleep(seconds)``: the current interval (at least MIN_WAIT_S), or
        what is left when the codes expire sooner. ``sleep`` returns False to stop waiting (then
        ``wait`` returns None); it may return early, e.g. to poll at once after the phone said yes.
        """
        while True:
            left = max(0.0, auth.expires_at - self.clock.monotonic())
            if not sleep(min(max(float(auth.interval), MIN_WAIT_S), left)):
                return None
            result = self.poll(auth)
            if result.final:
                return result

    def whoami(self, token: TokenResponse) -> tuple[str, str]:
        """(patient id, display name) of the person the token belongs to."""
        patient = self.fhir.read("Patient", token.patient_id, token.access_token)
        return token.patient_id, display_name(patient)

    def revoke(self, access_token: str) -> bool:
        """Ask the service to revoke the token (RFC 7009). True when it confirmed; False when it
        offers no revocation or could not be reached (the token then runs out on its own)."""
        try:
            where = self.discovery.service().revocation
            if where is None:
                return False
            self._post(where, {"token": access_token, "token_type_hint": "access_token",
                               "client_id": self.client_id})
        except ServiceError as exc:
            log.warning("sign-out: the token was not revoked (%s)", type(exc).__name__)
            return False
        log.info("sign-out: token revoked")
        return True

    def sign_out(self, session: Session) -> bool:
        """Forget the signed-in person at once, then revoke their token where the service
        allows (see ``revoke``). Runs HTTP: call it from a worker, not the UI thread."""
        token = session.access_token
        session.person = None
        return False if token is None else self.revoke(token)


def display_name(patient: dict[str, Any]) -> str:
    """The name to greet a signed-in patient by; a Patient without one is a bad answer."""
    name = person_name(patient)
    if not name:
        raise BadResponse("the Patient has no name")
    return name
