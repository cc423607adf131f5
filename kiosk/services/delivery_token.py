"""The kiosk's own delivery token: OAuth 2.0 client credentials (RFC 6749 section 4.4).

The outbox delivers a submission with the citizen's token only while their session is live;
after that it uses this token, which the identity provider grants the kiosk itself and which
may only create submissions. The kiosk proves who it is in one of two ways:

- ``PrivateKey``: SMART Backend Services, a short-lived JWT signed with the kiosk's private key
  (RFC 7523, ``private_key_jwt``); the provider holds only the public key;
- ``ClientSecret``: a shared secret sent with HTTP Basic (RFC 6749 section 2.3.1).

The token endpoint is the one discovery finds. The token is kept in memory, never written
anywhere and never logged; it is fetched again shortly before it runs out, or when the service
says it is no longer valid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from kiosk.clock import Clock, SystemClock
from kiosk.services.discovery import Discovery
from kiosk.services.http import BadResponse
from kiosk.services.smart import CLIENT_CREDENTIALS, DELIVERY_SCOPES

log = logging.getLogger(__name__)

JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 300
"""SMART Backend Services: an assertion expires no more than five minutes after it is made."""
REFRESH_MARGIN_S = 30.0
"""Fetch a new token when the current one has less than this left (or a tenth of its life)."""


class KeyFileError(ValueError):
    """The delivery key file cannot be used; the message says why (never the key)."""


@dataclass(frozen=True)
class ClientSecret:
    """A client secret, sent with HTTP Basic."""

    secret: str = field(repr=False)

    def authenticate(self, client_id: str, token_url: str) -> tuple[dict[str, str],
                                                                    dict[str, str]]:
        # RFC 6749 section 2.3.1: both parts are form-encoded before they are joined.
        pair = f"{quote_plus(client_id)}:{quote_plus(self.secret)}"
        basic = base64.b64encode(pair.encode()).decode("ascii")
        return {}, {"Authorization": f"Basic {basic}"}


@dataclass(frozen=True)
class PrivateKey:
    """A private key that signs client assertions (SMART Backend Services)."""

    key: Any = field(repr=False)
    """A ``cryptography`` private key object."""
    key_id: str
    algorithm: str

    def authenticate(self, client_id: str, token_url: str) -> tuple[dict[str, str],
                                                                    dict[str, str]]:
        import jwt

        now = int(time.time())
        assertion = jwt.encode(
            {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now,
             "exp": now + ASSERTION_LIFETIME_S, "jti": str(uuid.uuid4())},
            self.key, algorithm=self.algorithm, headers={"kid": self.key_id, "typ": "JWT"},
        )
        return {"client_assertion_type": JWT_BEARER_ASSERTION,
                "client_assertion": assertion}, {}


Credential = ClientSecret | PrivateKey


def load_private_key(path: Path, key_id: str | None = None) -> PrivateKey:
    """A delivery key from a PEM file (PKCS#8 or traditional) or a private JWK (JSON).

    The algorithm follows the key: RS384 for RSA, ES256/ES384/ES512 for the EC curves (SMART
    Backend Services asks servers to accept RS384 and ES384). The key id is ``key_id``, else
    the JWK's ``kid``, else the key's RFC 7638 thumbprint.
    """
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read {path}: {exc.strerror}") from exc
    jwk: dict[str, Any] | None = None
    try:
        if raw.lstrip().startswith(b"{"):
            jwk = json.loads(raw)
            if not isinstance(jwk, dict):
                raise KeyFileError(f"{path}: a JWK file holds one JSON object")
            key = jwt.PyJWK(jwk).key
        else:
            key = load_pem_private_key(raw, password=None)
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise KeyFileError(f"{path}: not an unencrypted PEM private key or a private JWK "
                           f"({type(exc).__name__})") from exc
    algorithm_class: type[jwt.algorithms.RSAAlgorithm | jwt.algorithms.ECAlgorithm]
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm, algorithm_class = "RS384", jwt.algorithms.RSAAlgorithm
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        curves = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
        if key.curve.name not in curves:
            raise KeyFileError(f"{path}: EC curve {key.curve.name} is not one SMART uses")
        algorithm, algorithm_class = curves[key.curve.name], jwt.algorithms.ECAlgorithm
    elif isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyFileError(f"{path}: holds a public key; the kiosk needs its private key (the "
                           "identity provider is given the public one)")
    else:
        raise KeyFileError(f"{path}: the key must be RSA or EC")
    kid = key_id or (jwk or {}).get("kid") or _thumbprint(
        algorithm_class.to_jwk(key.public_key(), as_dict=True))
    return PrivateKey(key, str(kid), algorithm)


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members in lexicographic order, base64url."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}[public_jwk["kty"]]
    canonical = json.dumps({k: public_jwk[k] for k in required}, separators=(",", ":"),
                           sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class DeliveryToken:
    """Fetches and caches the delivery token. Thread-safe: the delivery loop and a citizen's
    submission may ask at the same time."""

    def __init__(self, discovery: Discovery, client_id: str, credential: Credential, *,
                 scope: str = DELIVERY_SCOPES, audience: str | None = None,
                 clock: Clock | None = None) -> None:
        """``audience`` is the resource the token is for (default: the FHIR base URL)."""
        self.discovery = discovery
        self.client_id = client_id
        self.credential = credential
        self.scope = scope
        self.audience = audience or discovery.fhir_base_url
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"DeliveryToken(client_id={self.client_id!r})"

    @property
    def method(self) -> str:
        """How the kiosk authenticates, in the words of RFC 7591's token_endpoint_auth_method."""
        if isinstance(self.credential, PrivateKey):
            return f"private_key_jwt ({self.credential.algorithm}, kid {self.credential.key_id})"
        return "client_secret_basic"

    def get(self) -> str:
        """A valid token, fetched when needed; raises the ServiceError family when it cannot."""
        with self._lock:
            if self._token is None or self.clock.monotonic() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """The service refused the token (HTTP 401): fetch a new one next time."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        token_url = self.discovery.service().token
        proof, headers = self.credential.authenticate(self.client_id, token_url)
        form = {"grant_type": CLIENT_CREDENTIALS, "scope": self.scope,
                "resource": self.audience, **proof}
        body = self.discovery.pool.request("POST", token_url, data=form, headers=headers)
        token, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise BadResponse("delivery token: the answer holds no access_token")
        if lifetime is None:  # the service does not say: use it until it is refused
            self._renew_at = math.inf
        elif isinstance(lifetime, int) and not isinstance(lifetime, bool) and lifetime >= 0:
            margin = min(REFRESH_MARGIN_S, lifetime / 10)
            self._renew_at = self.clock.monotonic() + lifetime - margin
        else:
            raise BadResponse("delivery token: 'expires_in' is not a whole number of seconds")
        self._token = token
        log.info("delivery token fetched (%s)", self.method.split(" ")[0])
