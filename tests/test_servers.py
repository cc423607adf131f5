"""The test servers themselves, as real processes on 127.0.0.1: the OpenID provider
(tests/servers/oidc) and the FHIR server (tests/servers/fhir) in the two-origin topology of a
practice, where the FHIR server names its issuer and accepts only that issuer's tokens for it.

These are the behaviours the kiosk's tests build on: if one fails here, the fault is in the test
servers, not in the kiosk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests

from tests.servers.medplum import MedplumServer, start_medplum, stop_medplum
from tests.servers.oidc_provider import OidcServer, OidcServers
from tests.servers.two_origins import (
    DEVICE_GRANT,
    TIMEOUT_S,
    TwoOrigins,
    bearer,
    device_sign_in,
    provider_metadata,
)

OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4",
                         "display": "Heart rate"}]},
    "subject": {"reference": "Patient/kari"},
    "valueQuantity": {"value": 72, "unit": "beats/minute",
                      "system": "http://unitsofmeasure.org", "code": "/min"},
}


def verified(token: str, oidc: OidcServer, audience: str) -> dict[str, Any]:
    """The token's claims, checked against the provider's published keys."""
    keys = jwt.PyJWKClient(provider_metadata(oidc)["jwks_uri"], timeout=TIMEOUT_S)
    claims: dict[str, Any] = jwt.decode(
        token, keys.get_signing_key_from_jwt(token), algorithms=["RS256"],
        audience=audience, issuer=oidc.base_url)
    return claims


@pytest.fixture
def fhir(two_origins: TwoOrigins) -> Iterator[MedplumServer]:
    """The two-origin FHIR server, with its request log emptied and never left down."""
    two_origins.fhir.clear_seen_requests()
    yield two_origins.fhir
    two_origins.fhir.set_outage(False)


def test_the_smart_configuration_names_the_issuer(two_origins: TwoOrigins) -> None:
    answer = requests.get(f"{two_origins.fhir.fhir_base}/.well-known/smart-configuration",
                          timeout=TIMEOUT_S)
    assert answer.status_code == 200
    smart = answer.json()
    issuer = provider_metadata(two_origins.oidc)
    assert smart["issuer"] == two_origins.oidc.base_url == issuer["issuer"]
    for name in ("jwks_uri", "token_endpoint", "revocation_endpoint",
                 "device_authorization_endpoint"):
        assert smart[name] == issuer[name]
    assert "private_key_jwt" in smart["token_endpoint_auth_methods_supported"]
    assert {"RS384", "ES384"} <= set(smart["token_endpoint_auth_signing_alg_values_supported"])
    assert {"client_credentials", DEVICE_GRANT} <= set(smart["grant_types_supported"])
    assert {"permission-v2", "client-confidential-asymmetric"} <= set(smart["capabilities"])
    assert smart["code_challenge_methods_supported"] == ["S256"]


def test_metadata_is_public_and_the_rest_needs_a_token(fhir: MedplumServer) -> None:
    assert requests.get(f"{fhir.fhir_base}/metadata", timeout=TIMEOUT_S).status_code == 200
    for headers in ({}, bearer("not.a.token")):
        answer = requests.get(f"{fhir.fhir_base}/Patient", headers=headers, timeout=TIMEOUT_S)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer ")
        assert answer.json()["issue"][0]["code"] == "login"
    assert fhir.seen_requests() == []  # refused before they reached the FHIR API


def test_a_token_for_another_server_is_refused(two_origins: TwoOrigins,
                                               fhir: MedplumServer) -> None:
    token = two_origins.system_token("http://127.0.0.1:9/fhir/R4")
    answer = requests.post(f"{fhir.fhir_base}/Observation", json=OBSERVATION,
                           headers=bearer(token), timeout=TIMEOUT_S)
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_the_provider_issues_tokens_for_loopback_servers_only(
    two_origins: TwoOrigins,
) -> None:
    oidc = two_origins.oidc
    answer = requests.post(provider_metadata(oidc)["token_endpoint"], data={
        "grant_type": "client_credentials", "scope": "system/*.c",
        "resource": "https://fhir.invalid/R4",
    }, auth=(oidc.delivery_secret_client_id, oidc.delivery_secret), timeout=TIMEOUT_S)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_target")


def test_a_delivery_token_may_create_and_nothing_else(two_origins: TwoOrigins,
                                                      fhir: MedplumServer) -> None:
    token = two_origins.system_token()
    claims = verified(token, two_origins.oidc, fhir.fhir_base)
    assert (claims["client_id"], claims["scope"]) == ("helselos-delivery-jwt", "system/*.c")

    created = requests.post(f"{fhir.fhir_base}/Observation", json=OBSERVATION,
                            headers=bearer(token), timeout=TIMEOUT_S)
    assert created.status_code == 201, created.text
    assert created.headers["Location"].startswith("/fhir/R4/Observation/")
    read = requests.get(f"{fhir.fhir_base}/Observation/{created.json()['id']}",
                        headers=bearer(token), timeout=TIMEOUT_S)
    assert read.status_code == 403
    assert read.json()["issue"][0]["code"] == "forbidden"

    seen = fhir.seen_requests()
    assert [(r["method"], r["status"], r["client_id"]) for r in seen] == [
        ("POST", 201, "helselos-delivery-jwt"), ("GET", 403, "helselos-delivery-jwt")]
    assert seen[0]["path"] == "/fhir/R4/Observation" and seen[0]["scope"] == "system/*.c"


def test_a_client_secret_delivery_may_post_a_transaction_of_creates(
    two_origins: TwoOrigins, fhir: MedplumServer,
) -> None:
    oidc = two_origins.oidc
    answer = requests.post(provider_metadata(oidc)["token_endpoint"], data={
        "grant_type": "client_credentials", "scope": "system/*.c",
        "resource": fhir.fhir_base,
    }, auth=(oidc.delivery_secret_client_id, oidc.delivery_secret), timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    entry = {"resource": OBSERVATION, "request": {"method": "POST", "url": "Observation"}}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [entry]}
    posted = requests.post(fhir.fhir_base, json=bundle, headers=bearer(token), timeout=TIMEOUT_S)
    assert posted.status_code == 200, posted.text
    bundle["entry"].append({"request": {"method": "GET", "url": "Patient"}})
    posted = requests.post(fhir.fhir_base, json=bundle, headers=bearer(token), timeout=TIMEOUT_S)
    assert posted.status_code == 403


def test_the_outage_switch_drops_connections_and_keeps_the_data(
    two_origins: TwoOrigins, fhir: MedplumServer,
) -> None:
    token = two_origins.system_token()
    created = requests.post(f"{fhir.fhir_base}/Observation", json=OBSERVATION,
                            headers=bearer(token), timeout=TIMEOUT_S)
    assert created.status_code == 201
    fhir.set_outage(True)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fhir.fhir_base}/metadata", timeout=TIMEOUT_S)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{fhir.fhir_base}/Observation", json=OBSERVATION,
                      headers=bearer(token), timeout=TIMEOUT_S)
    fhir.set_outage(False)
    patient_token = device_sign_in(two_origins.oidc, fhir.fhir_base, "kari",
                                   uuid.uuid4().hex)["access_token"]
    read = requests.get(f"{fhir.fhir_base}/Observation/{created.json()['id']}",
                        headers=bearer(patient_token), timeout=TIMEOUT_S)
    assert read.status_code == 200


def test_a_device_sign_in_names_the_fhir_user_and_its_token_opens_the_fhir_server(
    two_origins: TwoOrigins, fhir: MedplumServer,
) -> None:
    oidc = two_origins.oidc
    nonce = uuid.uuid4().hex
    answer = device_sign_in(oidc, fhir.fhir_base, "ola", nonce)
    assert "patient" not in answer  # identity fhirUser: only the id_token says who it is
    identity = verified(answer["id_token"], oidc, oidc.client_id)
    assert identity["fhirUser"] == "Patient/ola" and identity["sub"] == "ola"
    assert identity["nonce"] == nonce
    access = verified(answer["access_token"], oidc, fhir.fhir_base)
    assert access["sub"] == "ola" and access["client_id"] == oidc.client_id
    assert set(access["scope"].split()) == {"patient/*.rs", "patient/*.cu"}

    search = requests.get(f"{fhir.fhir_base}/Patient", params={"_count": 1},
                          headers=bearer(answer["access_token"]), timeout=TIMEOUT_S)
    assert search.status_code == 200 and search.json()["resourceType"] == "Bundle"
    assert [(r["sub"], r["query"]) for r in fhir.seen_requests()] == [("ola", "_count=1")]

    revoked = requests.post(provider_metadata(oidc)["revocation_endpoint"], data={
        "client_id": oidc.client_id, "token": answer["access_token"]}, timeout=TIMEOUT_S)
    assert revoked.status_code == 200


def test_identity_pid_puts_the_national_id_in_the_id_token(
    oidc_servers: OidcServers,
) -> None:
    oidc = oidc_servers.get(identity="pid")
    nonce = uuid.uuid4().hex
    answer = device_sign_in(oidc, "http://127.0.0.1:9/fhir", "13097248022", nonce)
    assert "patient" not in answer
    identity = verified(answer["id_token"], oidc, oidc.client_id)
    assert (identity["pid"], identity["nonce"]) == ("13097248022", nonce)
    assert "fhirUser" not in identity


def test_a_server_without_smart_configuration(two_origins: TwoOrigins) -> None:
    server = start_medplum(issuer=two_origins.oidc.base_url, base_path="/fhir/R4",
                           smart_config=False)
    try:
        answer = requests.get(f"{server.fhir_base}/.well-known/smart-configuration",
                              timeout=TIMEOUT_S)
        assert answer.status_code == 404
        assert requests.get(f"{server.fhir_base}/metadata", timeout=TIMEOUT_S).status_code == 200
    finally:
        stop_medplum(server.process)
