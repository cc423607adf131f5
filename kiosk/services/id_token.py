"""Checking an OpenID Connect id_token before the kiosk believes whom it names.

The signature is checked with the provider's published keys (its ``jwks_uri``), then the
issuer, the audience (this kiosk's client id; with several audiences, ``azp`` too), expiry and
issue time, and the nonce the kiosk sent, all by PyJWT, a maintained JOSE library; nothing of it
is written here by hand. Only asymmetric algorithms are accepted: a token "signed" with ``none``
or with a shared secret proves nothing about the provider.

A refusal is a ``SignInRefused`` with a ``cause`` from a fixed vocabulary, so the log can say
why a sign-in failed without holding anything of the token.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from kiosk.services.discovery import SignInService
from kiosk.services.http import BadResponse, HttpPool
from translations.catalog import N_

if TYPE_CHECKING:
    import jwt

log = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                   "ES256", "ES384", "ES512", "EdDSA"})
LEEWAY_S = 60
"""Clock difference tolerated between kiosk and provider for exp, iat and nbf."""
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat")


class SignInRefused(BadResponse):
    """The kiosk does not accept whom a sign-in names: an id_token that cannot be trusted, or
    an answer that names no patient. ``cause`` is one of a few fixed words, safe to log."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"sign-in refused: {cause}")
        self.cause = cause

    msgid = N_("Sign-in did not work. Get a new code, or ask a staff member for help.")


class IdTokenVerifier:
    """Verifies id_tokens of one client; the provider's key set is fetched once and fetched
    again when a token names a key it does not hold (the provider rotated its keys)."""

    def __init__(self, pool: HttpPool, client_id: str) -> None:
        self.pool = pool
        self.client_id = client_id
        self._keys: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def verify(self, id_token: str, service: SignInService, nonce: str | None) -> dict[str, Any]:
        """The token's claims once every check has passed; SignInRefused otherwise."""
        # PyJWT and cryptography take a tenth of a second to import: not on the start-up path.
        import jwt

        if service.jwks_uri is None:
            raise SignInRefused("no-keys-published")
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise SignInRefused("malformed") from exc
        algorithm = header.get("alg")
        allowed = set(service.id_token_algorithms or ASYMMETRIC_ALGORITHMS)
        if algorithm not in ASYMMETRIC_ALGORITHMS & allowed:
            raise SignInRefused("algorithm-not-allowed")
        key = self._key(service.jwks_uri, header.get("kid"), str(algorithm))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token, key=key, algorithms=[str(algorithm)], audience=self.client_id,
                issuer=[service.issuer, service.issuer + "/"], leeway=LEEWAY_S,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise SignInRefused(_cause(exc)) from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise SignInRefused("wrong-authorized-party")  # OpenID Connect Core 3.1.3.7
        # The device grant defines no nonce; a provider that echoes the one sent must echo it
        # unchanged, one that does not is not refused for it.
        if nonce is not None and "nonce" in claims and claims["nonce"] != nonce:
            raise SignInRefused("wrong-nonce")
        return claims

    def _key(self, jwks_uri: str, kid: Any, algorithm: str) -> jwt.PyJWK:
        """The provider's signing key the token names, made for the token's algorithm (a key
        without ``alg`` serves whichever algorithm its type allows)."""
        import jwt

        for fresh in (False, True):
            matching = [k for k in self._key_set(jwks_uri, fresh)
                        if (kid is None or k.get("kid") == kid)
                        and k.get("use") in (None, "sig") and k.get("alg") in (None, algorithm)]
            if kid is None and len(matching) > 1:
                raise SignInRefused("key-not-named")
            if matching:
                try:
                    return jwt.PyJWK(matching[0], algorithm)
                except jwt.PyJWTError as exc:
                    raise SignInRefused("key-does-not-fit") from exc
        raise SignInRefused("unknown-key")

    def _key_set(self, jwks_uri: str, fresh: bool) -> list[dict[str, Any]]:
        with self._lock:
            if fresh or jwks_uri not in self._keys:
                keys = self.pool.request("GET", jwks_uri).get("keys")
                if not isinstance(keys, list):
                    raise SignInRefused("no-usable-keys")
                self._keys[jwks_uri] = [k for k in keys if isinstance(k, dict)]
            found: list[dict[str, Any]] = self._keys[jwks_uri]
            return found


def _cause(exc: Exception) -> str:
    """A fixed word for a PyJWT error (its message may quote claims)."""
    import jwt

    causes: tuple[tuple[type[Exception], str], ...] = (
        (jwt.InvalidSignatureError, "bad-signature"),
        (jwt.ExpiredSignatureError, "expired"),
        (jwt.ImmatureSignatureError, "not-yet-valid"),
        (jwt.InvalidAudienceError, "wrong-audience"),
        (jwt.InvalidIssuerError, "wrong-issuer"),
        (jwt.MissingRequiredClaimError, "missing-claim"),
        (jwt.InvalidIssuedAtError, "bad-issue-time"),
        (jwt.InvalidAlgorithmError, "algorithm-not-allowed"),
    )
    return next((cause for kind, cause in causes if isinstance(exc, kind)), "malformed")
