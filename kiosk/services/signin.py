"""Sign-in with the citizen's own phone: the OAuth 2.0 device authorization grant (RFC 8628).

The kiosk shows a QR code and a short code; the citizen approves on their phone; the kiosk
polls the token endpoint at the interval the server asks for. The kiosk never sees a password.
``poll`` does not sleep: the caller (a UI worker) waits ``interval`` seconds between polls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.clock import Clock, SystemClock
from kiosk.services.fhir import FhirClient
from kiosk.services.http import BadResponse, HttpClient, ServiceRejected

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP_S = 5
"""RFC 8628 section 3.5: after slow_down, poll 5 seconds less often from then on."""

PollStatus = Literal["pending", "slow_down", "approved", "expired", "denied"]


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


def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadResponse(f"sign-in answer: field {name!r} is missing or not a {kind.__name__}")
    return value


class DeviceSignIn:
    """Start a device sign-in, poll for its result and find out whom it signed in."""

    def __init__(
        self,
        http: HttpClient,
        client_id: str,
        scope: str = "openid fhir",
        *,
        clock: Clock | None = None,
        authorization_path: str = "oauth/device_authorization",
        token_path: str = "oauth/token",
        fhir: FhirClient | None = None,
    ) -> None:
        self.http = http
        self.client_id = client_id
        self.scope = scope
        self.clock = clock or SystemClock()
        self.authorization_path = authorization_path
        self.token_path = token_path
        self.fhir = fhir or FhirClient(http)

    def start(self) -> DeviceAuthorization:
        body = self.http.post(
            self.authorization_path, data={"client_id": self.client_id, "scope": self.scope}
        )
        expires_in = _field(body, "expires_in", int)
        uri = _field(body, "verification_uri", str)
        return DeviceAuthorization(
            device_code=_field(body, "device_code", str),
            user_code=_field(body, "user_code", str),
            verification_uri=uri,
            verification_uri_complete=str(body.get("verification_uri_complete") or uri),
            expires_in=expires_in,
            # RFC 8628 section 3.2: without an interval the client must wait 5 seconds.
            interval=int(body["interval"]) if body.get("interval") is not None else 5,
            expires_at=self.clock.monotonic() + expires_in,
        )

    def poll(self, auth: DeviceAuthorization) -> PollResult:
        """Ask once whether the citizen has approved. Updates ``auth.interval`` on slow_down."""
        if self.clock.monotonic() >= auth.expires_at:
            return PollResult("expired", auth.interval)
        try:
            body = self.http.post(
                self.token_path,
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
                return PollResult("slow_down", auth.interval)
            if exc.code == "expired_token":
                return PollResult("expired", auth.interval)
            if exc.code == "access_denied":
                return PollResult("denied", auth.interval)
            raise
        token = TokenResponse(
            access_token=_field(body, "access_token", str),
            patient_id=_field(body, "patient", str),
            expires_in=int(body.get("expires_in") or 0),
        )
        return PollResult("approved", auth.interval, token)

    def whoami(self, token: TokenResponse) -> tuple[str, str]:
        """(patient id, display name) of the person the token belongs to."""
        patient = self.fhir.read("Patient", token.patient_id, token.access_token)
        return token.patient_id, display_name(patient)


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
