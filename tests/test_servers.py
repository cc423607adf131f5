"""The test servers themselves, as real processes on 127.0.0.1: the OpenID provider
(tests/servers/oidc) and the FHIR server (tests/servers/fhir) in the two-origin topology of a
practice, where the FHIR server names its issuer and accepts only that issuer's tokens for it.

These are the behaviours the kiosk's tests build on: if one fails here, the fault is in the test
servers, not in the kiosk."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests

from tests.servers import oidc_provider
from tests.servers import two_origins as topology
from tests.servers.medplum import MedplumServer, start_medplum, stop_medplum
from tests.servers.oidc_provider import OidcServer, OidcServers
from tests.servers.two_origins import TwoOrigins

# The session fixtures used here, made visible to pytest in this module (a conftest imports them
# for the kiosk's tests).
oidc_servers = oidc_provider.oidc_servers
two_origins = topology.two_origins

TIMEOUT_S = 5
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
KIOSK_SCOPE = "openid fhirUser launch/patient patient/*.rs patient/*.cu"
OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4",
                         "display": "Heart rate"}]},
    "subject": {"reference": "Patient/kari"},
    "valueQuantity": {"value": 72, "unit": "beats/minute",
                      "system": "http://unitsofmeasure.org", "code": "/min"},
}


def discovery(oidc: OidcServer) -> dict[str, Any]:
    answer = requests.get(f"{oidc.base_url}/.well-known/openid-configuration", timeout=TIMEOUT_S)
    answer.raise_for_status()
    config: dict[str, Any] = answer.json()
    return config


def verified(token: str, oidc: OidcServer, audience: str) -> dict[str, Any]:
    """The token's claims, checked against the provider's published keys."""
    keys = jwt.PyJWKClient(discovery(oidc)["jwks_uri"], timeout=TIMEOUT_S)
    claims: dict[str, Any] = jwt.decode(
        token, keys.get_signing_key_from_jwt(token), algorithms=["RS256"],
        audience=audience, issuer=oidc.base_url)
    return claims


def delivery_assertion(oidc: OidcServer, token_endpoint: str) -> str:
    """A SMART Backend Services client assertion (RFC 7523), as the delivery service signs it."""
    now = int(time.time())
    claims = {"iss": oidc.delivery_jwt_client_id, "sub": oidc.delivery_jwt_client_id,
              "aud": token_endpoint, "iat": now, "exp": now + 240, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, oidc.delivery_key_file.read_bytes(), algorithm="RS384",
                      headers={"kid": oidc.delivery_key_id})


def delivery_token(origins: TwoOrigins, resource: str | None = None) -> str:
    """A client credentials access token for the FHIR server, got with a private_key_jwt."""
    token_endpoint = discovery(origins.oidc)["token_endpoint"]
    answer = requests.post(token_endpoint, data={
        "grant_type": "client_credentials",
        "scope": "system/*.c",
        "resource": resource or origins.fhir.fhir_base,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": delivery_assertion(origins.oidc, token_endpoint),
    }, timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def device_sign_in(oidc: OidcServer, resource: str, login: str,
                   nonce: str) -> dict[str, Any]:
    """The kiosk's device sign-in, approved on a phone as ``login``: the token answer."""
    config = discovery(oidc)
    started = requests.post(config["device_authorization_endpoint"], data={
        "client_id": oidc.client_id, "scope": KIOSK_SCOPE, "resource": resource,
        "aud": resource, "nonce": nonce,
    }, timeout=TIMEOUT_S)
    assert started.status_code == 200, started.text
    oidc.approve(started.json()["verification_uri_complete"], login=login)
    answer = requests.post(config["token_endpoint"], data={
        "client_id": oidc.client_id, "grant_type": DEVICE_GRANT,
        "device_code": started.json()["device_code"],
    }, timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


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
    issuer = discovery(two_origins.oidc)
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
    token = delivery_token(two_origins, resource="http://127.0.0.1:9/fhir/R4")
    answer = requests.post(f"{fhir.fhir_base}/Observation", json=OBSERVATION,
                           headers=bearer(token), timeout=TIMEOUT_S)
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_the_provider_issues_tokens_for_loopback_servers_only(
    two_origins: TwoOrigins,
) -> None:
    oidc = two_origins.oidc
    answer = requests.post(discovery(oidc)["token_endpoint"], data={
        "grant_type": "client_credentials", "scope": "system/*.c",
        "resource": "https://fhir.invalid/R4",
    }, auth=(oidc.delivery_secret_client_id, oidc.delivery_secret), timeout=TIMEOUT_S)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_target")


def test_a_delivery_token_may_create_and_nothing_else(two_origins: TwoOrigins,
                                                      fhir: MedplumServer) -> None:
    token = delivery_token(two_origins)
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
    answer = requests.post(discovery(oidc)["token_endpoint"], data={
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
    token = delivery_token(two_origins)
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

    revoked = requests.post(discovery(oidc)["revocation_endpoint"], data={
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
