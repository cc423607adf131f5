"""The deployment topology in the tests: a SMART-on-FHIR resource server and its OpenID provider
on two origins, as the kiosk meets them in a practice.

The ``two_origins`` session fixture yields ``TwoOrigins(oidc, fhir)``: ``oidc`` is an
oidc-provider with identity ``fhirUser`` (shared through ``oidc_servers``, so that fixture must be
importable where this one is used), and ``fhir`` a Medplum server at ``/fhir/R4`` that trusts it:
``fhir.fhir_base`` is all the kiosk is told; its ``.well-known/smart-configuration`` names the
issuer, and every FHIR request needs an access token the provider issued for ``fhir.fhir_base``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.servers.medplum import MedplumServer, start_medplum, stop_medplum
from tests.servers.oidc_provider import OidcServer, OidcServers

FHIR_BASE_PATH = "/fhir/R4"


@dataclass(frozen=True)
class TwoOrigins:
    """An OpenID provider and a FHIR server that accepts only its tokens."""

    oidc: OidcServer
    fhir: MedplumServer


@pytest.fixture(scope="session")
def two_origins(oidc_servers: OidcServers) -> Iterator[TwoOrigins]:
    oidc = oidc_servers.get(identity="fhirUser")
    fhir = start_medplum(issuer=oidc.base_url, base_path=FHIR_BASE_PATH)
    try:
        yield TwoOrigins(oidc, fhir)
    finally:
        stop_medplum(fhir.process)
