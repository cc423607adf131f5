"""`kiosk doctor`'s checks of the health service, the way the kiosk will reach it.

Three lines: the FHIR API (its CapabilityStatement at ``{fhir_base_url}/metadata``, which every
FHIR server publishes), the sign-in service (what discovery found: issuer and endpoints), and
the delivery identity (a token really fetched with the configured key or secret, then dropped).
In practice mode the bundled demo service is started for the checks and stopped after them.
Nothing here reads or prints citizen data or a token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.config import ConfigError, Settings
from kiosk.doctor import FAIL, OK, WARN, Check
from kiosk.services.delivery_token import ClientSecret, DeliveryToken
from kiosk.services.discovery import Discovery
from kiosk.services.http import HttpPool, ServiceError, ServiceRejected


@contextmanager
def _service(settings: Settings) -> Iterator[tuple[str, str, str | None]]:
    """(FHIR base URL, label, practice delivery secret) of the service to check."""
    if settings.fhir_base_url is not None:
        yield settings.fhir_base_url.rstrip("/"), "configured FHIR server", None
        return
    from kiosk.demo import DemoBackend

    backend = DemoBackend(host=settings.demo_host, port=0,
                          delivery_client_id=settings.delivery_client_id)
    backend.start()
    try:
        yield backend.fhir_base, "practice demo service", backend.delivery_secret
    finally:
        backend.stop()


def check_fhir(pool: HttpPool, base: str, label: str) -> Check:
    """A server that wants a token even for its capability statement still counts as up: the
    kiosk signs citizens in before it reads anything."""
    try:
        statement = pool.at(base).get("metadata")
    except ServiceRejected as exc:
        if exc.status == 401:
            return Check("backend", OK, f"{label} at {base}: FHIR answers (sign-in required)")
        return Check("backend", FAIL, f"{label} at {base}: {exc}")
    except ServiceError as exc:
        return Check("backend", FAIL, f"{label} at {base}: {exc}")
    if statement.get("resourceType") != "CapabilityStatement":
        return Check("backend", FAIL, f"{label} at {base}: {base}/metadata is not a FHIR "
                                      "CapabilityStatement; is fhir_base_url the FHIR base?")
    version = statement.get("fhirVersion", "of an unnamed version")
    return Check("backend", OK, f"{label} at {base}: FHIR {version}")


def check_sign_in(discovery: Discovery) -> Check:
    try:
        found = discovery.service()
    except ServiceError as exc:
        return Check("sign-in", FAIL, str(exc))
    parts = [f"issuer {found.issuer} (from the {found.found_via})",
             f"device authorization {found.device_authorization}",
             f"token {found.token}",
             f"revocation {found.revocation or 'none: tokens run out on their own'}",
             f"id_token keys {found.jwks_uri or 'none'}"]
    return Check("sign-in", OK, "; ".join(parts))


def check_delivery(settings: Settings, discovery: Discovery,
                   practice_secret: str | None) -> Check:
    from kiosk.runtime import delivery_credential

    try:
        credential = delivery_credential(settings)
    except ConfigError as exc:
        return Check("delivery", FAIL, str(exc))
    if practice_secret is not None:
        credential = ClientSecret(practice_secret)
    if credential is None:
        return Check("delivery", WARN, "no delivery_key_file or delivery_secret_file: saved "
                                       "submissions are not sent after the citizen has left")
    token = DeliveryToken(discovery, settings.delivery_client_id, credential,
                          scope=settings.delivery_scopes, audience=settings.audience)
    try:
        token.get()
    except ServiceError as exc:
        return Check("delivery", FAIL, f"client {settings.delivery_client_id} "
                                       f"({token.method}): no token: {exc}")
    return Check("delivery", OK, f"client {settings.delivery_client_id} got a token "
                                 f"({token.method})")


def check_service(settings: Settings) -> list[Check]:
    """The backend, sign-in and delivery lines."""
    pool = HttpPool(timeout_s=settings.http_timeout_s, retries=0)
    try:
        with _service(settings) as (base, label, practice_secret):
            discovery = Discovery(pool, base, settings.issuer)
            return [check_fhir(pool, base, label), check_sign_in(discovery),
                    check_delivery(settings, discovery, practice_secret)]
    except OSError as exc:
        return [Check("backend", FAIL, f"the practice service could not start: {exc}")]
    finally:
        pool.close()
