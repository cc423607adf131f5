"""Sign-in with the citizen's own phone: the OAuth 2.0 device authorization grant (RFC 8628).

The kiosk shows a QR code and a short code; the citizen approves on their phone; the kiosk
polls the token endpoint at the interval the server asks for (5 s when it does not say, 5 s more
after each ``slow_down``). The kiosk never sees a password. ``poll`` asks once and never sleeps;
``wait`` polls until the sign-in ends, sleeping through a function the caller passes in, so a UI
worker can wake or cancel it and tests need not wait. Endpoints are configured paths (the bundled
demo service's by default) or read from the service's metadata (OpenID Connect discovery, else
RFC 8414). ``sign_out`` revokes the token (RFC 7009) where the service offers revocation. The
access token is handed to the caller for the Session and kept nowhere else; it is never logged.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.clock import Clock, SystemClock
from kiosk.services.fhir import FhirClient
from kiosk.services.http import BadResponse, HttpClient, ServiceError, ServiceRejected
from kiosk.session import Session
from translations.catalog import N_

log = logging.getLogger(__name__)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL_S = 5
"""RFC 8628 section 3.2: without an ``interval`` in the answer, wait 5 seconds between polls."""
SLOW_DOWN_STEP_S = 5
"""RFC 8628 section 3.5: after slow_down, poll 5 seconds less often from then on."""
MIN_WAIT_S = 0.25
"""``wait`` never polls more often than this, even when the service allows it (interval 0)."""
METADATA_PATHS = (".well-known/openid-configuration", ".well-known/oauth-authorization-server")

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
    def msgid(self) -> str:  # type: ignore[override]
        return N_("Sign-in did not work. Get a new code, or ask a staff member for help.")


@dataclass(frozen=True)
class Endpoints:
    """Where the sign-in service takes each request: paths on, or URLs of, the HttpClient's
    backend. ``revocation`` is None when the service offers no revocation."""

    device_authorization: str
    token: str
    revocation: str | None = None


DEMO_ENDPOINTS = Endpoints("oauth/device_authorization", "oauth/token", "oauth/revoke")
"""The bundled demo service's paths (it offers no discovery)."""


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
        http: HttpClient,
        client_id: str,
        scope: str = "openid fhir",
        *,
        clock: Clock | None = None,
        endpoints: Endpoints | None = None,
        discovery: bool = False,
        fhir: FhirClient | None = None,
    ) -> None:
        """``endpoints`` fixes where requests go (default: the demo service's paths);
        ``discovery=True`` reads them from the service's metadata at first use instead."""
        if discovery and endpoints is not None:
            raise ValueError("give endpoints or use discovery, not both")
        self.http = http
        self.client_id = client_id
        self.scope = scope
        self.clock = clock or SystemClock()
        self._endpoints = None if discovery else (endpoints or DEMO_ENDPOINTS)
        self.fhir = fhir or FhirClient(http)

    def endpoints(self) -> Endpoints:
        """The endpoints in use; with discovery, the metadata is fetched once and then kept."""
        if self._endpoints is None:
            self._endpoints = self._discover()
        return self._endpoints

    def _discover(self) -> Endpoints:
        metadata: dict[str, Any] | None = None
        for path in METADATA_PATHS:
            try:
                metadata = self.http.get(path)
                break
            except ServiceRejected as exc:
                if exc.status != 404:
                    raise
        if metadata is None:
            raise BadResponse("the sign-in service publishes no metadata (discovery)")
        # RFC 8414 section 3.3: metadata naming another issuer must not be used (mix-up attacks).
        if str(metadata.get("issuer", "")).rstrip("/") != self.http.base_url:
            raise BadResponse("sign-in metadata: 'issuer' is not the configured service")
        grants = metadata.get("grant_types_supported")
        if isinstance(grants, list) and DEVICE_GRANT not in grants:
            raise BadResponse("the sign-in service does not offer the device grant")
        revocation = metadata.get("revocation_endpoint")
        found = Endpoints(
            device_authorization=_field(metadata, "device_authorization_endpoint", str),
            token=_field(metadata, "token_endpoint", str),
            revocation=revocation if isinstance(revocation, str) and revocation else None,
        )
        for url in (found.device_authorization, found.token, found.revocation):
            if url is not None:
                self.http.url(url)  # BadResponse when it points away from the service
        log.info("sign-in endpoints discovered (revocation: %s)", found.revocation is not None)
        return found

    def start(self) -> DeviceAuthorization:
        """Ask for a new device code and user code (each attempt gets fresh, single-use codes)."""
        try:
            body = self.http.post(
                self.endpoints().device_authorization,
                data={"client_id": self.client_id, "scope": self.scope},
            )
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
        )

    def poll(self, auth: DeviceAuthorization) -> PollResult:
        """Ask once whether the citizen has approved. Updates ``auth.interval`` on slow_down.

        A device code is single-use: polling again after "approved" is refused by the service
        (SignInRejected, code ``invalid_grant``). Other refusals raise SignInRejected too.
        """
        if self.clock.monotonic() >= auth.expires_at:
            log.info("sign-in code expired")
            return PollResult("expired", auth.interval)
        try:
            body = self.http.post(
                self.endpoints().token,
                data={
                    "grant_type": DEVICE_GRANT,
                    "device_code": auth.device_code,
                    "client_id": self.client_id,
                },
            )
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
        token = TokenResponse(
            access_token=_field(body, "access_token", str),
            patient_id=_field(body, "patient", str),
            expires_in=int(body.get("expires_in") or 0),
        )
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
            where = self.endpoints().revocation
            if where is None:
                return False
            self.http.post(where, data={"token": access_token,
                                        "token_type_hint": "access_token",
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
    """The name to greet a patient by: the official name if there is one, else the first."""
    names = [n for n in patient.get("name") or [] if isinstance(n, dict)]
    if not names:
        raise BadResponse("the Patient has no name")
    name = next((n for n in names if n.get("use") == "official"), names[0])
    if name.get("text"):
        return str(name["text"])
    parts = [*(name.get("given") or []), name.get("family") or ""]
    text = " ".join(str(p) for p in parts if p)
    if not text:
        raise BadResponse("the Patient's name is empty")
    return text
