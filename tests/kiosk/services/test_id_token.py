"""An id_token is believed only when the provider's published key signed it for this kiosk,
now, in answer to this sign-in. Tokens are made here with keys the test owns, served as a real
key set on loopback (tokens oidc-provider issues are verified in the sign-in tests)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.services.discovery import SignInService
from kiosk.services.http import HttpPool
from kiosk.services.id_token import IdTokenVerifier, SignInRefused
from tests.documents_server import DocumentsServer

CLIENT_ID = "helselos-kiosk"
NONCE = "n-0S6_WzA2Mj"


def public_jwk(key: Any, kid: str, alg: str | None = "RS256") -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg is None or alg.startswith(("RS", "PS")) \
        else jwt.algorithms.ECAlgorithm
    jwk: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig"})
    if alg:
        jwk["alg"] = alg
    return jwk


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service(documents: DocumentsServer, signing_key: rsa.RSAPrivateKey) -> SignInService:
    documents.documents["/jwks"] = {"keys": [public_jwk(signing_key, "k1")]}
    return SignInService(issuer=documents.url, device_authorization=f"{documents.url}/device",
                         token=f"{documents.url}/token", revocation=None,
                         jwks_uri=f"{documents.url}/jwks", id_token_algorithms=("RS256",),
                         found_via="setting")


@pytest.fixture
def verifier() -> Iterator[IdTokenVerifier]:
    pool = HttpPool(timeout_s=5, retries=0)
    yield IdTokenVerifier(pool, CLIENT_ID)
    pool.close()


def claims(service: SignInService, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    made = {"iss": service.issuer, "sub": "kari", "aud": CLIENT_ID, "iat": now,
            "exp": now + 300, "nonce": NONCE, "fhirUser": "Patient/kari"}
    made.update(changes)
    return {k: v for k, v in made.items() if v is not None}


def sign(payload: dict[str, Any], key: Any, kid: str | None = "k1",
         alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid} if kid else None)


def test_a_token_signed_by_the_provider_for_this_kiosk_is_believed(
        verifier: IdTokenVerifier, service: SignInService,
        signing_key: rsa.RSAPrivateKey) -> None:
    token = sign(claims(service), signing_key)
    assert verifier.verify(token, service, NONCE)["fhirUser"] == "Patient/kari"


@pytest.mark.parametrize(("changes", "cause"), [
    ({"aud": "another-app"}, "wrong-audience"),
    ({"iss": "https://idp.example"}, "wrong-issuer"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    ({"nonce": "from-another-sign-in"}, "wrong-nonce"),
    ({"exp": None}, "missing-claim"),
    ({"aud": [CLIENT_ID, "another-app"]}, "wrong-authorized-party"),
])
def test_a_token_for_someone_else_or_another_time_is_refused(
        verifier: IdTokenVerifier, service: SignInService, signing_key: rsa.RSAPrivateKey,
        changes: dict[str, Any], cause: str) -> None:
    token = sign(claims(service, **changes), signing_key)
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(token, service, NONCE)
    assert refused.value.cause == cause
    assert "kari" not in str(refused.value)


def test_several_audiences_are_fine_when_this_kiosk_is_the_authorized_party(
        verifier: IdTokenVerifier, service: SignInService,
        signing_key: rsa.RSAPrivateKey) -> None:
    token = sign(claims(service, aud=[CLIENT_ID, "fhir"], azp=CLIENT_ID), signing_key)
    assert verifier.verify(token, service, NONCE)["sub"] == "kari"


def test_a_bad_signature_is_refused(verifier: IdTokenVerifier, service: SignInService,
                                    stranger_key: rsa.RSAPrivateKey) -> None:
    # Someone else's key, claiming to be the provider's key k1.
    token = sign(claims(service), stranger_key)
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(token, service, NONCE)
    assert refused.value.cause == "bad-signature"


def test_a_changed_payload_breaks_the_signature(verifier: IdTokenVerifier,
                                               service: SignInService,
                                               signing_key: rsa.RSAPrivateKey) -> None:
    header, _, signature = sign(claims(service), signing_key).split(".")
    forged = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(
        claims(service, fhirUser="Patient/ola")).encode()).decode()
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(f"{header}.{forged}.{signature}", service, NONCE)
    assert refused.value.cause == "bad-signature"


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_and_shared_secret_tokens_are_refused(
        verifier: IdTokenVerifier, service: SignInService, alg: str) -> None:
    key = None if alg == "none" else "a-secret-anyone-with-the-jwks-could-guess"
    token = jwt.encode(claims(service), key, algorithm=alg, headers={"kid": "k1"})
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(token, service, NONCE)
    assert refused.value.cause == "algorithm-not-allowed"


def test_garbage_is_refused(verifier: IdTokenVerifier, service: SignInService) -> None:
    with pytest.raises(SignInRefused) as refused:
        verifier.verify("not.a.token", service, NONCE)
    assert refused.value.cause == "malformed"


def test_a_provider_that_rotated_its_keys_is_asked_again_once(
        verifier: IdTokenVerifier, service: SignInService, documents: DocumentsServer,
        signing_key: rsa.RSAPrivateKey) -> None:
    assert verifier.verify(sign(claims(service), signing_key), service, NONCE)
    new_key = ec.generate_private_key(ec.SECP256R1())
    documents.documents["/jwks"]["keys"].append(public_jwk(new_key, "k2", "ES256"))
    rotated = SignInService(**{**service.__dict__, "id_token_algorithms": ()})
    token = sign(claims(service), new_key, kid="k2", alg="ES256")
    assert verifier.verify(token, rotated, NONCE)["sub"] == "kari"
    assert documents.hits["/jwks"] == 2
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(sign(claims(service), signing_key, kid="k9"), rotated, NONCE)
    assert refused.value.cause == "unknown-key"


def test_a_key_without_alg_serves_the_algorithm_its_type_allows(
        verifier: IdTokenVerifier, service: SignInService, documents: DocumentsServer,
        signing_key: rsa.RSAPrivateKey) -> None:
    documents.documents["/jwks"] = {"keys": [public_jwk(signing_key, "k1", alg=None)]}
    any_rsa = SignInService(**{**service.__dict__, "id_token_algorithms": ()})
    token = sign(claims(service), signing_key, alg="RS384")
    assert verifier.verify(token, any_rsa, NONCE)["sub"] == "kari"


def test_a_provider_that_does_not_echo_the_nonce_is_not_refused_for_it(
        verifier: IdTokenVerifier, service: SignInService,
        signing_key: rsa.RSAPrivateKey) -> None:
    token = sign(claims(service, nonce=None), signing_key)
    assert verifier.verify(token, service, NONCE)["sub"] == "kari"


def test_without_published_keys_nothing_is_believed(verifier: IdTokenVerifier,
                                                    service: SignInService,
                                                    signing_key: rsa.RSAPrivateKey) -> None:
    keyless = SignInService(**{**service.__dict__, "jwks_uri": None})
    with pytest.raises(SignInRefused) as refused:
        verifier.verify(sign(claims(service), signing_key), keyless, NONCE)
    assert refused.value.cause == "no-keys-published"
