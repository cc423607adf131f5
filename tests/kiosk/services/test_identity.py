"""Who signed in, from a token answer: the SMART patient, the fhirUser of a verified id_token, or
a national ID claim looked up on the FHIR server (the practice service here; the two-origin
tests do the same against Medplum and oidc-provider)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk.demo import DemoBackend
from kiosk.services.discovery import SignInService
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient, HttpPool
from kiosk.services.id_token import IdTokenVerifier, SignInRefused
from kiosk.services.identity import WhoSignedIn
from kiosk.services.signin import TokenResponse
from tests.documents_server import DocumentsServer

CLIENT_ID = "helselos-kiosk"
KARI_NATIONAL_ID = "15837110073"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service(documents: DocumentsServer, key: rsa.RSAPrivateKey) -> SignInService:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    documents.documents["/jwks"] = {"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]}
    return SignInService(documents.url, f"{documents.url}/device", f"{documents.url}/token",
                         None, f"{documents.url}/jwks", ("RS256",), "setting")


@pytest.fixture
def who(http: HttpClient) -> Iterator[Callable[..., WhoSignedIn]]:
    pool = HttpPool(timeout_s=5, retries=0)

    def make(national_id_claim: str | None = None) -> WhoSignedIn:
        return WhoSignedIn(FhirClient(http), IdTokenVerifier(pool, CLIENT_ID),
                           national_id_claim=national_id_claim)

    yield make
    pool.close()


def id_token(service: SignInService, key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    return jwt.encode({"iss": service.issuer, "sub": "s-1", "aud": CLIENT_ID, "iat": now,
                       "exp": now + 300, **claims}, key, algorithm="RS256",
                      headers={"kid": "k1"})


def test_the_smart_patient_in_the_answer_is_who_signed_in(
        who: Callable[..., WhoSignedIn], service: SignInService) -> None:
    assert who().patient_id({"patient": "kari"}, service, None, "t") == "kari"


@pytest.mark.parametrize("fhir_user", ["Patient/kari", "{base}/Patient/kari"])
def test_fhir_user_relative_or_under_the_fhir_base(
        who: Callable[..., WhoSignedIn], service: SignInService, key: rsa.RSAPrivateKey,
        backend: DemoBackend, fhir_user: str) -> None:
    answer = {"id_token": id_token(service, key,
                                   fhirUser=fhir_user.format(base=backend.fhir_base))}
    assert who().patient_id(answer, service, None, "t") == "kari"


@pytest.mark.parametrize(("fhir_user", "cause"), [
    ("https://fhir.elsewhere.example/Patient/kari", "fhir-user-on-another-server"),
    ("Practitioner/gp", "fhir-user-not-a-patient"),
    ("Patient/../../Slot/1", "bad-fhir-user"),
])
def test_a_fhir_user_that_is_not_a_patient_here_is_refused(
        who: Callable[..., WhoSignedIn], service: SignInService, key: rsa.RSAPrivateKey,
        fhir_user: str, cause: str) -> None:
    answer = {"id_token": id_token(service, key, fhirUser=fhir_user)}
    with pytest.raises(SignInRefused) as refused:
        who().patient_id(answer, service, None, "t")
    assert refused.value.cause == cause


def test_a_national_id_claim_is_looked_up_with_the_citizens_own_token(
        who: Callable[..., WhoSignedIn], service: SignInService, key: rsa.RSAPrivateKey,
        sign_in: Callable[[str], TokenResponse]) -> None:
    token = sign_in("kari").access_token
    answer = {"id_token": id_token(service, key, pid=KARI_NATIONAL_ID)}
    assert who("pid").patient_id(answer, service, None, token) == "kari"


def test_a_national_id_the_server_does_not_show_this_citizen_is_refused(
        who: Callable[..., WhoSignedIn], service: SignInService, key: rsa.RSAPrivateKey,
        sign_in: Callable[[str], TokenResponse]) -> None:
    token = sign_in("ola").access_token
    answer = {"id_token": id_token(service, key, pid=KARI_NATIONAL_ID)}
    with pytest.raises(SignInRefused) as refused:
        who("pid").patient_id(answer, service, None, token)
    assert refused.value.cause == "no-patient-for-national-id"


def test_a_national_id_claim_is_used_only_when_configured(
        who: Callable[..., WhoSignedIn], service: SignInService,
        key: rsa.RSAPrivateKey) -> None:
    answer = {"id_token": id_token(service, key, pid=KARI_NATIONAL_ID)}
    with pytest.raises(SignInRefused) as refused:
        who().patient_id(answer, service, None, "t")
    assert refused.value.cause == "no-identity"


def test_an_answer_that_names_no_one_is_refused(who: Callable[..., WhoSignedIn],
                                               service: SignInService) -> None:
    with pytest.raises(SignInRefused) as refused:
        who().patient_id({"access_token": "x"}, service, None, "t")
    assert refused.value.cause == "no-identity"


def test_a_bad_id_token_is_refused_even_beside_a_patient(
        who: Callable[..., WhoSignedIn], service: SignInService) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = {"patient": "kari", "id_token": id_token(service, stranger, fhirUser="Patient/ola")}
    with pytest.raises(SignInRefused) as refused:
        who().patient_id(answer, service, None, "t")
    assert refused.value.cause == "bad-signature"
