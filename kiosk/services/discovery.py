"""Finding the sign-in service of a FHIR server, as SMART App Launch 2.x clients do.

The FHIR server publishes ``{FHIR base}/.well-known/smart-configuration``, which names the
identity provider (``issuer``); the provider publishes its own metadata (OpenID Connect
discovery, else RFC 8414) with the endpoints the kiosk uses: device authorization, token,
revocation and the keys that sign its id_tokens. An operator may name the issuer instead (a
FHIR server that publishes no SMART document). The practice service publishes the same
documents, so practice mode walks this path too.

Metadata that names another issuer than the one asked for is refused (RFC 8414 section 3.3,
mix-up attacks), and so is an endpoint that leaves https for plain http on another host.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kiosk.services.http import BadResponse, HttpPool, ServiceRejected, origin_of
from kiosk.services.smart import DEVICE_GRANT
from translations.catalog import N_

log = logging.getLogger(__name__)

SMART_CONFIGURATION = ".well-known/smart-configuration"
OPENID_CONFIGURATION = ".well-known/openid-configuration"
OAUTH_METADATA = ".well-known/oauth-authorization-server"


class DiscoveryError(BadResponse):
    """The sign-in service could not be found or its metadata cannot be used; the message
    says which document and what to set (for staff, the log and ``kiosk doctor``)."""

    msgid = N_("Sign-in does not work on this kiosk right now. Please ask a staff member for "
               "help.")


@dataclass(frozen=True)
class SignInService:
    """What the kiosk knows of the identity provider once discovery has run."""

    issuer: str
    device_authorization: str
    token: str
    revocation: str | None
    jwks_uri: str | None
    id_token_algorithms: tuple[str, ...]
    found_via: str
    """"smart-configuration" when the FHIR server named the issuer, "setting" when the
    operator did."""


def _url(metadata: dict[str, Any], name: str, where: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise DiscoveryError(f"{where}: {name!r} is missing or not an http(s) URL")
    return value


def _optional_url(metadata: dict[str, Any], name: str, where: str) -> str | None:
    return _url(metadata, name, where) if metadata.get(name) else None


def same_url(a: str, b: str) -> bool:
    """Two issuer identifiers that name the same service (a trailing slash aside)."""
    return a.rstrip("/") == b.rstrip("/")


class Discovery:
    """Finds the sign-in service once and keeps it; a failure is not kept, so the next sign-in
    asks again (the provider may have been down). Safe to call from several threads."""

    def __init__(self, pool: HttpPool, fhir_base_url: str, issuer: str | None = None) -> None:
        self.pool = pool
        self.fhir_base_url = fhir_base_url.rstrip("/")
        self.issuer = issuer.rstrip("/") if issuer else None
        self._found: SignInService | None = None
        self._lock = threading.Lock()

    def service(self) -> SignInService:
        """The sign-in service (fetched on first use); raises the ServiceError family."""
        with self._lock:
            if self._found is None:
                try:
                    self._found = self._discover()
                except DiscoveryError as exc:
                    # Names documents and settings of the operator's, never a citizen's data.
                    log.warning("sign-in service not found: %s", exc)
                    raise
            return self._found

    def _get(self, url: str) -> dict[str, Any] | None:
        """The JSON document at url, or None when the server has none (404)."""
        try:
            return self.pool.request("GET", url)
        except ServiceRejected as exc:
            if exc.status == 404:
                return None
            raise

    def issuer_from_fhir_server(self) -> str:
        """The issuer the FHIR server's SMART configuration names."""
        where = f"{self.fhir_base_url}/{SMART_CONFIGURATION}"
        smart = self._get(where)
        if smart is None:
            raise DiscoveryError(f"the FHIR server publishes no {SMART_CONFIGURATION}; set "
                                 "issuer to the identity provider's address")
        issuer = smart.get("issuer")
        if not isinstance(issuer, str) or not issuer.startswith(("https://", "http://")):
            raise DiscoveryError(f"{SMART_CONFIGURATION} names no issuer; set issuer to the "
                                 "identity provider's address")
        return issuer.rstrip("/")

    def _discover(self) -> SignInService:
        via = "setting" if self.issuer else "smart-configuration"
        issuer = self.issuer or self.issuer_from_fhir_server()
        metadata, document = self._provider_metadata(issuer)
        where = f"{issuer} {document}"
        if not same_url(str(metadata.get("issuer", "")), issuer):
            raise DiscoveryError(f"{where}: 'issuer' is not {issuer}")
        grants = metadata.get("grant_types_supported")
        if isinstance(grants, list) and DEVICE_GRANT not in grants:
            raise DiscoveryError(f"{where}: the provider does not offer the device grant")
        algorithms = metadata.get("id_token_signing_alg_values_supported")
        found = SignInService(
            issuer=issuer,
            device_authorization=_url(metadata, "device_authorization_endpoint", where),
            token=_url(metadata, "token_endpoint", where),
            revocation=_optional_url(metadata, "revocation_endpoint", where),
            jwks_uri=_optional_url(metadata, "jwks_uri", where),
            id_token_algorithms=tuple(str(a) for a in algorithms)
            if isinstance(algorithms, list) else (),
            found_via=via,
        )
        for url in (found.device_authorization, found.token, found.revocation, found.jwks_uri):
            if url is not None:
                _check_endpoint(url, issuer, where)
        log.info("sign-in service discovered (via %s, revocation: %s, id_token keys: %s)",
                 via, found.revocation is not None, found.jwks_uri is not None)
        return found

    def _provider_metadata(self, issuer: str) -> tuple[dict[str, Any], str]:
        """OpenID Connect discovery (appended to the issuer), else RFC 8414 (inserted between
        host and path)."""
        path = urlsplit(issuer).path.rstrip("/")
        candidates = (
            (f"{issuer}/{OPENID_CONFIGURATION}", OPENID_CONFIGURATION),
            (f"{origin_of(issuer)}/{OAUTH_METADATA}{path}", OAUTH_METADATA),
        )
        for url, document in candidates:
            metadata = self._get(url)
            if metadata is not None:
                return metadata, document
        raise DiscoveryError(f"{issuer} publishes no {OPENID_CONFIGURATION} or "
                             f"{OAUTH_METADATA}; is issuer the identity provider's address?")


def _check_endpoint(url: str, issuer: str, where: str) -> None:
    """An endpoint is https, or on the issuer's own origin (a practice service on plain http):
    never plain http to a host the issuer does not speak for."""
    try:
        origin = origin_of(url)
    except ValueError as exc:
        raise DiscoveryError(f"{where}: {exc}") from exc
    if not origin.startswith("https://") and origin != origin_of(issuer):
        raise DiscoveryError(f"{where}: an endpoint on another host is not https")
