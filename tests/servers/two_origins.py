"""The deployment topology in the tests: a SMART-on-FHIR resource server and its OpenID provider
on two origins, as the kiosk meets them in a practice.

The ``two_origins`` session fixture yields ``TwoOrigins(oidc, fhir)``: ``oidc`` is an
oidc-provider with identity ``fhirUser`` (shared through ``oidc_servers``; tests/conftest.py
registers both), and ``fhir`` a Medplum server at ``/fhir/R4`` that trusts it: ``fhir.fhir_base``
is all the kiosk is told; its ``.well-known/smart-configuration`` names the issuer, and every
FHIR request needs an access token the provider issued for ``fhir.fhir_base``. ``TwoOrigins``
also stores resources as the practice's systems would, and signs a citizen in with plain HTTP to
read back what the kiosk wrote.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests

from tests.servers.medplum import MedplumServer, start_medplum, stop_medplum
from tests.servers.oidc_provider import OidcServer, OidcServers

FHIR_BASE_PATH = "/fhir/R4"
TIMEOUT_S = 5
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
KIOSK_SCOPE = "openid fhirUser launch/patient patient/*.rs patient/*.cu"


def provider_metadata(oidc: OidcServer) -> dict[str, Any]:
    answer = requests.get(f"{oidc.base_url}/.well-known/openid-configuration", timeout=TIMEOUT_S)
    answer.raise_for_status()
    config: dict[str, Any] = answer.json()
    return config


def delivery_assertion(oidc: OidcServer, token_endpoint: str) -> str:
    """A SMART Backend Services client assertion (RFC 7523), as the delivery service signs it."""
    now = int(time.time())
    claims = {"iss": oidc.delivery_jwt_client_id, "sub": oidc.delivery_jwt_client_id,
              "aud": token_endpoint, "iat": now, "exp": now + 240, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, oidc.delivery_key_file.read_bytes(), algorithm="RS384",
                      headers={"kid": oidc.delivery_key_id})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def device_sign_in(oidc: OidcServer, resource: str, login: str,
                   nonce: str | None = None) -> dict[str, Any]:
    """A device sign-in made with plain HTTP (not the kiosk's code), approved on a phone as
    ``login``: the provider's token answer."""
    config = provider_metadata(oidc)
    form = {"client_id": oidc.client_id, "scope": KIOSK_SCOPE, "resource": resource,
            "aud": resource, **({"nonce": nonce} if nonce else {})}
    started = requests.post(config["device_authorization_endpoint"], data=form,
                            timeout=TIMEOUT_S)
    assert started.status_code == 200, started.text
    oidc.approve(started.json()["verification_uri_complete"], login=login)
    answer = requests.post(config["token_endpoint"], data={
        "client_id": oidc.client_id, "grant_type": DEVICE_GRANT,
        "device_code": started.json()["device_code"],
    }, timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@dataclass(frozen=True)
class TwoOrigins:
    """An OpenID provider and a FHIR server that accepts only its tokens."""

    oidc: OidcServer
    fhir: MedplumServer

    def system_token(self, resource: str | None = None) -> str:
        """A client credentials token for the FHIR server, got with a private_key_jwt: it may
        create, nothing else."""
        token_endpoint = provider_metadata(self.oidc)["token_endpoint"]
        answer = requests.post(token_endpoint, data={
            "grant_type": "client_credentials", "scope": "system/*.c",
            "resource": resource or self.fhir.fhir_base,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": delivery_assertion(self.oidc, token_endpoint),
        }, timeout=TIMEOUT_S)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Store a resource as the practice's own systems would (a system token)."""
        answer = requests.post(f"{self.fhir.fhir_base}/{resource['resourceType']}",
                               json=resource, headers=bearer(self.system_token()),
                               timeout=TIMEOUT_S)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def citizen_token(self, patient_id: str) -> str:
        """An access token of the patient, signed in on a phone as a citizen would."""
        token: str = device_sign_in(self.oidc, self.fhir.fhir_base, patient_id)["access_token"]
        return token

    def read(self, path: str, token: str) -> dict[str, Any]:
        """GET a path under the FHIR base with a token; the JSON answer."""
        answer = requests.get(f"{self.fhir.fhir_base}/{path}", headers=bearer(token),
                              timeout=TIMEOUT_S)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


@pytest.fixture(scope="session")
def two_origins(oidc_servers: OidcServers) -> Iterator[TwoOrigins]:
    oidc = oidc_servers.get(identity="fhirUser")
    fhir = start_medplum(issuer=oidc.base_url, base_path=FHIR_BASE_PATH)
    try:
        yield TwoOrigins(oidc, fhir)
    finally:
        stop_medplum(fhir.process)
