"""The delivery identity's token, got the way a real identity provider gives it: SMART Backend
Services (a JWT assertion signed with the kiosk's key, RFC 7523) or a client secret, at the
token endpoint discovery finds, against oidc-provider; the token then creates on Medplum."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.clock import ManualClock
from kiosk.services.delivery_token import (
    ClientSecret,
    DeliveryToken,
    KeyFileError,
    PrivateKey,
    _thumbprint,
    load_private_key,
)
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpPool, ServiceRejected
from tests.servers.two_origins import TwoOrigins

OBSERVATION = {
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}], "text": "Pulse"},
    "subject": {"reference": "Patient/kari"},
    "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org",
                      "code": "/min"},
}


@pytest.fixture
def discovery(two_origins: TwoOrigins) -> Iterator[Discovery]:
    pool = HttpPool(timeout_s=5, retries=0)
    yield Discovery(pool, two_origins.fhir.fhir_base)
    pool.close()


def pem_file(tmp_path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
             public: bool = False) -> Path:
    path = tmp_path / ("public.pem" if public else "key.pem")
    if public:
        path.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    else:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return path


def test_a_backend_services_token_creates_on_the_fhir_server(
        two_origins: TwoOrigins, discovery: Discovery) -> None:
    oidc = two_origins.oidc
    key = load_private_key(oidc.delivery_key_file, oidc.delivery_key_id)
    token = DeliveryToken(discovery, oidc.delivery_jwt_client_id, key, clock=ManualClock())
    fhir = FhirClient(discovery.pool.at(two_origins.fhir.fhir_base))
    stored = fhir.create("Observation", OBSERVATION, token.get())
    assert stored["id"]
    seen = [r for r in two_origins.fhir.seen_requests()
            if r["method"] == "POST" and r["path"].endswith("/Observation")]
    assert seen[-1]["client_id"] == oidc.delivery_jwt_client_id
    assert seen[-1]["scope"] == "system/*.c"
    assert token.method == f"private_key_jwt (RS384, kid {oidc.delivery_key_id})"


def test_the_key_may_be_a_private_jwk_naming_its_own_kid(
        two_origins: TwoOrigins, discovery: Discovery, tmp_path: Path) -> None:
    oidc = two_origins.oidc
    pem = serialization.load_pem_private_key(oidc.delivery_key_file.read_bytes(), None)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(pem, as_dict=True)
    (tmp_path / "key.json").write_text(json.dumps({**jwk, "kid": oidc.delivery_key_id}))
    key = load_private_key(tmp_path / "key.json")
    assert (key.key_id, key.algorithm) == (oidc.delivery_key_id, "RS384")
    assert DeliveryToken(discovery, oidc.delivery_jwt_client_id, key).get()


def test_a_client_secret_works_too(two_origins: TwoOrigins, discovery: Discovery) -> None:
    oidc = two_origins.oidc
    token = DeliveryToken(discovery, oidc.delivery_secret_client_id,
                          ClientSecret(oidc.delivery_secret))
    assert token.get()
    assert token.method == "client_secret_basic"


def test_a_key_the_provider_does_not_know_gets_no_token(
        two_origins: TwoOrigins, discovery: Discovery) -> None:
    oidc = two_origins.oidc
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = DeliveryToken(discovery, oidc.delivery_jwt_client_id,
                          PrivateKey(stranger, oidc.delivery_key_id, "RS384"))
    with pytest.raises(ServiceRejected) as refused:
        token.get()
    assert (refused.value.status, refused.value.code) == (401, "invalid_client")


def test_the_assertion_is_short_lived_single_use_and_for_the_token_endpoint() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = PrivateKey(key, "k1", "RS384")
    url = "https://idp.example/token"
    firsts = [signer.authenticate("kiosk-7", url)[0] for _ in range(2)]
    claims = [jwt.decode(f["client_assertion"], key.public_key(), algorithms=["RS384"],
                         audience=url) for f in firsts]
    assert firsts[0]["client_assertion_type"] == \
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert claims[0]["iss"] == claims[0]["sub"] == "kiosk-7"
    assert 0 < claims[0]["exp"] - time.time() <= 300
    assert claims[0]["jti"] != claims[1]["jti"]
    assert jwt.get_unverified_header(firsts[0]["client_assertion"])["kid"] == "k1"


@pytest.mark.parametrize(("curve", "algorithm"), [(ec.SECP256R1(), "ES256"),
                                                  (ec.SECP384R1(), "ES384")])
def test_an_ec_key_signs_with_its_curves_algorithm(tmp_path: Path, curve: ec.EllipticCurve,
                                                   algorithm: str) -> None:
    key = load_private_key(pem_file(tmp_path, ec.generate_private_key(curve)), "k")
    assert key.algorithm == algorithm


def test_without_a_key_id_the_key_is_named_by_its_rfc_7638_thumbprint(tmp_path: Path) -> None:
    # A fixed key, and its thumbprint as another JOSE library (joserfc 1.8) computes it.
    key = ec.derive_private_key(20261207, ec.SECP256R1())
    assert load_private_key(pem_file(tmp_path, key)).key_id == \
        "IL_LRA5NlMt-qKqGmXf79gVAl4LyWXuQE6jCB8m5q_c"
    assert _thumbprint({"kty": "EC", "crv": "P-256",
                        "x": "9IqsFFeLsAivZoN-BavR37iB310Zt2NF-2CxGqmNHtY",
                        "y": "-VPANIaFuA6CLdwBOrBsmKEKg5boqPFr4IDoAty8rM8",
                        "kid": "ignored", "use": "sig"}) == \
        "IL_LRA5NlMt-qKqGmXf79gVAl4LyWXuQE6jCB8m5q_c"


def test_key_files_that_cannot_serve_say_why(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "garbage.pem").write_text("-----BEGIN NONSENSE-----\n")
    cases = {
        tmp_path / "missing.pem": "cannot read",
        tmp_path / "garbage.pem": "not an unencrypted PEM private key or a private JWK",
        pem_file(tmp_path, key, public=True): "not an unencrypted PEM private key",
    }
    for path, message in cases.items():
        with pytest.raises(KeyFileError, match=message):
            load_private_key(path)
    public_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    (tmp_path / "public.json").write_text(json.dumps(public_jwk))
    with pytest.raises(KeyFileError, match="holds a public key"):
        load_private_key(tmp_path / "public.json")
