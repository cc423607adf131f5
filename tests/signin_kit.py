"""Test helper: a kiosk's device sign-in for a FHIR base URL, built the way the runtime builds
it (discovery through the server's published documents, one HTTP client per origin).

``device_sign_in`` returns the flow; ``close_sign_in`` closes its HTTP clients.
"""

from __future__ import annotations

from typing import Any

from kiosk.clock import Clock
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpPool
from kiosk.services.signin import DeviceSignIn

TIMEOUT_S = 5


def device_sign_in(fhir_base_url: str, client_id: str = "helselos-kiosk", *,
                   clock: Clock | None = None, issuer: str | None = None,
                   pool: HttpPool | None = None, **options: Any) -> DeviceSignIn:
    """A DeviceSignIn for the FHIR server at ``fhir_base_url``; ``options`` go to it."""
    pool = pool or HttpPool(timeout_s=TIMEOUT_S, retries=0)
    discovery = Discovery(pool, fhir_base_url, issuer)
    return DeviceSignIn(discovery, FhirClient(pool.at(fhir_base_url)), client_id, clock=clock,
                        **options)


def close_sign_in(flow: DeviceSignIn) -> None:
    flow.discovery.pool.close()
