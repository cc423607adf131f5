"""OAuth 2.0 for the practice service: device authorization grant (RFC 8628) for citizens,
client credentials (RFC 6749 section 4.4) for the kiosk's own delivery identity, and token
revocation (RFC 7009).

Errors are RFC 6749 section 5.2 JSON objects. Device codes are single-use; polling faster
than the interval answers ``slow_down`` and adds 5 seconds to the interval from then on.
"""

from __future__ import annotations

import base64
import hmac
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlencode

from kiosk.clock import Clock
from kiosk.demo.access import Token
from kiosk.demo.problem import Problem

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_CREDENTIALS = "client_credentials"
# RFC 8628 section 6.1: consonants only, so codes are easy to read out and never spell words.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
SLOW_DOWN_STEP_S = 5


@dataclass
class DeviceRequest:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: int
    last_poll: float | None = None
    state: str = "pending"
    """pending, approved, denied or used."""
    patient_id: str | None = None


def _oauth(status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
           ) -> Problem:
    return Problem(status, message, code, oauth=True, headers=headers)


class OAuth:
    """Codes and tokens in memory. ``delivery_client_id`` is the kiosk's delivery identity:
    only it may use client credentials, with ``delivery_secret``."""

    def __init__(self, clock: Clock, rng: random.Random, *, delivery_client_id: str,
                 delivery_secret: str, delivery_types: Iterable[str], poll_interval: int,
                 code_lifetime_s: int, token_lifetime_s: int) -> None:
        self.clock, self._rng = clock, rng
        # SMART v2 scopes naming what the delivery identity may create (access.yaml decides).
        self.delivery_scope = " ".join(f"system/{t}.c" for t in sorted(delivery_types))
        self.delivery_client_id, self.delivery_secret = delivery_client_id, delivery_secret
        self.poll_interval = poll_interval
        self.code_lifetime_s, self.token_lifetime_s = code_lifetime_s, token_lifetime_s
        self.devices: dict[str, DeviceRequest] = {}
        self._tokens: dict[str, Token] = {}

    def code(self, alphabet: str, length: int) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    # ---- endpoints -------------------------------------------------------------------------

    @staticmethod
    def metadata(base: str) -> dict[str, Any]:
        """GET /.well-known/oauth-authorization-server (RFC 8414): the kiosk finds these
        endpoints the way it finds any identity provider's, never by their fixed paths."""
        return {
            "issuer": base,
            "device_authorization_endpoint": f"{base}/oauth/device_authorization",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "grant_types_supported": [DEVICE_GRANT, CLIENT_CREDENTIALS],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
        }

    @classmethod
    def smart_configuration(cls, base: str) -> dict[str, Any]:
        """GET /fhir/.well-known/smart-configuration (SMART App Launch 2.x): names this
        service as the FHIR API's issuer, as a real FHIR server names its identity provider."""
        found = cls.metadata(base)
        return {
            "issuer": base,
            "token_endpoint": found["token_endpoint"],
            "revocation_endpoint": found["revocation_endpoint"],
            "grant_types_supported": found["grant_types_supported"],
            "token_endpoint_auth_methods_supported":
                found["token_endpoint_auth_methods_supported"],
            "scopes_supported": ["launch/patient", "patient/*.rs", "patient/*.cu",
                                 "system/*.c"],
            "capabilities": ["launch-standalone", "client-public",
                             "client-confidential-symmetric", "context-standalone-patient",
                             "permission-v2", "permission-patient"],
        }

    def authorize(self, form: dict[str, str], base: str) -> dict[str, Any]:
        """POST /oauth/device_authorization (RFC 8628 section 3.1)."""
        client_id = form.get("client_id", "")
        if not client_id:
            raise _oauth(400, "invalid_request", "client_id is required")
        raw = self.code(USER_CODE_ALPHABET, 8)
        user_code = f"{raw[:4]}-{raw[4:]}"
        request = DeviceRequest(
            device_code=self.code(SECRET_ALPHABET, 40), user_code=user_code,
            client_id=client_id, scope=form.get("scope", ""),
            expires_at=self.clock.monotonic() + self.code_lifetime_s,
            interval=self.poll_interval,
        )
        self.devices[request.device_code] = request
        page = f"{base}/device"
        return {
            "device_code": request.device_code, "user_code": user_code,
            "verification_uri": page,
            "verification_uri_complete": f"{page}?{urlencode({'user_code': user_code})}",
            "expires_in": self.code_lifetime_s, "interval": self.poll_interval,
        }

    def token(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        """POST /oauth/token: the device code grant or client credentials."""
        grant = form.get("grant_type")
        if grant == DEVICE_GRANT:
            return self._device_token(form)
        if grant == CLIENT_CREDENTIALS:
            self._authenticate(form, authorization, required=True)
            return self._issue(Token("delivery", self.delivery_client_id, 0.0),
                               self.delivery_scope)
        raise _oauth(400, "unsupported_grant_type",
                     "supported: the device code grant and client credentials")

    def revoke(self, form: dict[str, str], authorization: str) -> None:
        """POST /oauth/revoke (RFC 7009): unknown or expired tokens are fine (200)."""
        value = form.get("token")
        if not value:
            raise _oauth(400, "invalid_request", "token is required")
        client_id = self._authenticate(form, authorization, required=False)
        token = self._tokens.get(value)
        if token is None:
            return
        if token.client_id != client_id:
            raise _oauth(400, "unauthorized_client", "this token was issued to another client")
        del self._tokens[value]

    def bearer(self, header: str) -> Token:
        """The token an ``Authorization: Bearer`` header stands for; 401 if none is valid."""
        scheme, _, value = header.partition(" ")
        token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or self.clock.monotonic() >= token.expires_at:
            raise Problem(401, "sign in first: a valid Bearer token is required", "login")
        return token

    # ---- the verification page's side -----------------------------------------------------

    def find_user_code(self, typed: str) -> DeviceRequest | None:
        code = "".join(c for c in typed.upper() if c.isalpha())
        return next((r for r in self.devices.values()
                     if r.user_code.replace("-", "") == code), None)

    def expired(self, request: DeviceRequest) -> bool:
        return self.clock.monotonic() >= request.expires_at

    # ---- helpers ---------------------------------------------------------------------------

    def _device_token(self, form: dict[str, str]) -> dict[str, Any]:
        request = self.devices.get(form.get("device_code", ""))
        if request is None or request.client_id != form.get("client_id"):
            raise _oauth(400, "invalid_grant", "unknown device code")
        if request.state == "used":
            raise _oauth(400, "invalid_grant", "this device code was already used")
        now = self.clock.monotonic()
        if now >= request.expires_at:
            raise _oauth(400, "expired_token", "the sign-in code has expired")
        too_soon = request.last_poll is not None and now - request.last_poll < request.interval
        request.last_poll = now
        if too_soon:
            request.interval += SLOW_DOWN_STEP_S
            raise _oauth(400, "slow_down", f"poll at most every {request.interval} s")
        if request.state == "denied":
            raise _oauth(400, "access_denied", "the citizen said no")
        if request.state == "pending" or request.patient_id is None:
            raise _oauth(400, "authorization_pending", "waiting for the citizen")
        request.state = "used"
        answer = self._issue(Token("citizen", request.client_id, 0.0, request.patient_id),
                             request.scope)
        return {**answer, "patient": request.patient_id}

    def _issue(self, token: Token, scope: str) -> dict[str, Any]:
        value = self.code(SECRET_ALPHABET, 43)
        expires_at = self.clock.monotonic() + self.token_lifetime_s
        self._tokens[value] = Token(token.kind, token.client_id, expires_at, token.patient_id)
        return {"access_token": value, "token_type": "Bearer",
                "expires_in": self.token_lifetime_s, "scope": scope}

    def _authenticate(self, form: dict[str, str], authorization: str, *,
                      required: bool) -> str:
        """The client id of the request: HTTP Basic or client_secret_post; a secret, when
        given (or ``required``), must be the delivery identity's."""
        scheme, _, value = authorization.partition(" ")
        basic = scheme.lower() == "basic"
        if basic:
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError) as exc:
                raise self._bad_client(basic) from exc
            user, _, secret = decoded.partition(":")
            client_id, secret = unquote_plus(user), unquote_plus(secret)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id:
            raise _oauth(400, "invalid_request", "client_id is required")
        if not secret and not required:
            return client_id
        if client_id != self.delivery_client_id or not hmac.compare_digest(
                secret.encode(), self.delivery_secret.encode()):
            raise self._bad_client(basic)
        return client_id

    @staticmethod
    def _bad_client(basic: bool) -> Problem:
        # RFC 6749 section 5.2: 401 with a challenge when the client tried HTTP Basic.
        if basic:
            return _oauth(401, "invalid_client", "unknown client or wrong secret",
                          (("WWW-Authenticate", 'Basic realm="helselos-demo"'),))
        return _oauth(401, "invalid_client", "unknown client or wrong secret")
