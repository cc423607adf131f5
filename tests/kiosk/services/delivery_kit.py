"""Test helper: the kiosk's delivery token for a demo service, built the way the runtime builds
it (the token endpoint found by discovery from a FHIR base URL, the demo's delivery client and
its secret).

``fhir_base`` defaults to the demo's own; give another (e.g. a proxy's ``{url}/fhir``) to reach
the demo through it: the demo names its endpoints as the caller reached it, so discovery and
the token request then go through the same address.
"""

from __future__ import annotations

from kiosk.clock import Clock
from kiosk.demo import DemoBackend
from kiosk.services.delivery_token import ClientSecret, DeliveryToken
from kiosk.services.discovery import Discovery
from kiosk.services.http import HttpPool


def demo_delivery_token(pool: HttpPool, backend: DemoBackend, fhir_base: str | None = None, *,
                        secret: str | None = None, clock: Clock | None = None) -> DeliveryToken:
    """A DeliveryToken of the demo's delivery client; ``secret`` replaces the right one."""
    discovery = Discovery(pool, fhir_base or backend.fhir_base)
    return DeliveryToken(discovery, backend.delivery_client_id,
                         ClientSecret(backend.delivery_secret if secret is None else secret),
                         clock=clock)
