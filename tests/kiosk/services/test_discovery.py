"""Finding the identity provider from the FHIR base URL: against the practice service, the real
two-origin setup (Medplum naming oidc-provider), and a document server for what real servers
cannot be made to get wrong on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.demo import DemoBackend
from kiosk.services.discovery import Discovery, DiscoveryError
from kiosk.services.http import HttpPool, ServiceUnavailable
from tests.documents_server import DocumentsServer
from tests.loopback import closed_port_url
from tests.servers.oidc_provider import OidcServer
from tests.servers.two_origins import TwoOrigins

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def pool() -> Iterator[HttpPool]:
    made = HttpPool(timeout_s=5, retries=0)
    yield made
    made.close()


def provider(issuer: str, **changes: Any) -> dict[str, Any]:
    return {"issuer": issuer, "device_authorization_endpoint": f"{issuer}/device",
            "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
            "grant_types_supported": [DEVICE_GRANT], **changes}


def test_the_practice_service_names_itself_in_its_smart_configuration(
        backend: DemoBackend, pool: HttpPool) -> None:
    found = Discovery(pool, backend.fhir_base).service()
    assert found.issuer == backend.base_url
    assert found.found_via == "smart-configuration"
    assert found.device_authorization == f"{backend.base_url}/oauth/device_authorization"
    assert found.token == f"{backend.base_url}/oauth/token"
    assert found.revocation == f"{backend.base_url}/oauth/revoke"


def test_a_fhir_server_names_an_identity_provider_on_another_origin(
        two_origins: TwoOrigins, pool: HttpPool) -> None:
    issuer = two_origins.oidc.base_url
    found = Discovery(pool, two_origins.fhir.fhir_base).service()
    assert (found.issuer, found.found_via) == (issuer, "smart-configuration")
    assert found.device_authorization == f"{issuer}/device/auth"
    assert found.token == f"{issuer}/token"
    assert found.revocation == f"{issuer}/token/revocation"
    assert found.jwks_uri == f"{issuer}/jwks"
    assert "RS256" in found.id_token_algorithms


def test_without_a_smart_document_the_configured_issuer_is_used(
        documents: DocumentsServer, oidc_fhiruser_server: OidcServer, pool: HttpPool) -> None:
    fhir_base = f"{documents.url}/fhir/R4"
    with pytest.raises(DiscoveryError, match=r"publishes no \.well-known/smart-configuration; "
                                             r"set issuer"):
        Discovery(pool, fhir_base).service()
    found = Discovery(pool, fhir_base, oidc_fhiruser_server.base_url).service()
    assert (found.issuer, found.found_via) == (oidc_fhiruser_server.base_url, "setting")
    assert found.token == f"{oidc_fhiruser_server.base_url}/token"


def test_a_smart_document_without_an_issuer_says_to_set_one(documents: DocumentsServer,
                                                            pool: HttpPool) -> None:
    documents.documents["/fhir/.well-known/smart-configuration"] = {
        "token_endpoint": f"{documents.url}/token", "capabilities": []}
    with pytest.raises(DiscoveryError, match="names no issuer; set issuer"):
        Discovery(pool, f"{documents.url}/fhir").service()


def test_metadata_naming_another_issuer_is_refused(documents: DocumentsServer,
                                                  pool: HttpPool) -> None:
    issuer = f"{documents.url}/idp"
    documents.documents["/fhir/.well-known/smart-configuration"] = {"issuer": issuer}
    documents.documents["/idp/.well-known/openid-configuration"] = {
        **provider(issuer), "issuer": "https://elsewhere.example"}
    with pytest.raises(DiscoveryError, match="'issuer' is not"):
        Discovery(pool, f"{documents.url}/fhir").service()


def test_rfc_8414_metadata_of_an_issuer_with_a_path(documents: DocumentsServer,
                                                   pool: HttpPool) -> None:
    issuer = f"{documents.url}/tenants/oslo"
    documents.documents["/.well-known/oauth-authorization-server/tenants/oslo"] = \
        provider(issuer)
    found = Discovery(pool, f"{documents.url}/fhir", issuer).service()
    assert found.token == f"{issuer}/token"


def test_an_issuer_with_no_metadata_at_all_is_named(documents: DocumentsServer,
                                                   pool: HttpPool) -> None:
    with pytest.raises(DiscoveryError, match=r"publishes no \.well-known/openid-configuration"):
        Discovery(pool, f"{documents.url}/fhir", f"{documents.url}/idp").service()


@pytest.mark.parametrize(("endpoint", "refused"), [
    ("http://203.0.113.7/token", True),
    ("https://203.0.113.7/token", False),
])
def test_plain_http_to_another_host_is_refused(documents: DocumentsServer, pool: HttpPool,
                                               endpoint: str, refused: bool) -> None:
    issuer = documents.url
    documents.documents["/.well-known/openid-configuration"] = provider(
        issuer, token_endpoint=endpoint)
    discovery = Discovery(pool, f"{documents.url}/fhir", issuer)
    if refused:
        with pytest.raises(DiscoveryError, match="another host is not https"):
            discovery.service()
    else:
        assert discovery.service().token == endpoint


def test_a_provider_without_the_device_grant_is_refused(documents: DocumentsServer,
                                                       pool: HttpPool) -> None:
    documents.documents["/.well-known/openid-configuration"] = provider(
        documents.url, grant_types_supported=["authorization_code"])
    with pytest.raises(DiscoveryError, match="does not offer the device grant"):
        Discovery(pool, f"{documents.url}/fhir", documents.url).service()


def test_a_failed_discovery_is_tried_again_and_a_found_one_is_kept(
        documents: DocumentsServer, pool: HttpPool) -> None:
    discovery = Discovery(pool, f"{documents.url}/fhir", documents.url)
    with pytest.raises(DiscoveryError):
        discovery.service()
    documents.documents["/.well-known/openid-configuration"] = provider(documents.url)
    assert discovery.service() is discovery.service()
    assert documents.hits["/.well-known/openid-configuration"] == 2


def test_a_fhir_server_that_does_not_answer_is_a_service_error(pool: HttpPool) -> None:
    with pytest.raises(ServiceUnavailable):
        Discovery(pool, f"{closed_port_url()}/fhir").service()
