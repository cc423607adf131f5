"""The kiosk's own delivery identity: client credentials, may only create submissions."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from tests.kiosk.demo.builders import TIMEOUT, delivery_token, observation
from tests.kiosk.demo.conftest import Call

MakeBackend = Callable[..., DemoBackend]


def token_request(backend: DemoBackend, **form: str) -> requests.Response:
    return requests.post(f"{backend.base_url}/oauth/token",
                         data={"grant_type": "client_credentials", **form}, timeout=TIMEOUT)


def test_secret_in_the_form_works_too(backend: DemoBackend) -> None:
    answer = token_request(backend, client_id=backend.delivery_client_id,
                           client_secret=backend.delivery_secret)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and "system/Observation.c" in body["scope"]
    assert "patient" not in body
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("client_id", "secret"), [
    ("helselos-kiosk-delivery", "wrong"), ("another-kiosk", None),
    ("helselos-kiosk-delivery", ""),
    ("helselos-kiosk", None),  # the sign-in client is not the delivery identity
])
def test_wrong_client_or_secret_is_invalid_client(backend: DemoBackend, client_id: str,
                                                  secret: str | None) -> None:
    answer = token_request(backend, client_id=client_id,
                           client_secret=backend.delivery_secret if secret is None else secret)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_basic_auth_failure_gets_a_basic_challenge(backend: DemoBackend) -> None:
    answer = requests.post(f"{backend.base_url}/oauth/token",
                           data={"grant_type": "client_credentials"},
                           auth=(backend.delivery_client_id, "wrong"), timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    garbled = requests.post(f"{backend.base_url}/oauth/token",
                            data={"grant_type": "client_credentials"},
                            headers={"Authorization": "Basic !!!"}, timeout=TIMEOUT)
    assert garbled.json()["error"] == "invalid_client"


def test_secret_and_client_id_come_from_construction(make_backend: MakeBackend) -> None:
    backend = make_backend(delivery_client_id="kiosk-7", delivery_secret="s" * 32)
    assert (backend.delivery_client_id, backend.delivery_secret) == ("kiosk-7", "s" * 32)
    assert delivery_token(backend)
    other = make_backend()
    assert len(other.delivery_secret) >= 32 and other.delivery_secret != backend.delivery_secret


def test_delivery_creates_a_submission_for_any_patient(backend: DemoBackend, call: Call,
                                                       delivery: str) -> None:
    answer = call("POST", "Observation", delivery, observation("fatima"))
    assert answer.status_code == 201
    (stored,) = [o for o in backend.resources("Observation")
                 if o["id"] == answer.json()["id"]]
    assert stored["subject"] == {"reference": "Patient/fatima"}


def test_a_retry_of_the_same_submission_gets_the_stored_one(
        backend: DemoBackend, call: Call, kari: str, delivery: str) -> None:
    condition = "identifier=urn:ietf:rfc:3986|urn:uuid:d1"
    first = call("POST", "Observation", kari, observation(ident="urn:uuid:d1"),
                 If_None_Exist=condition)
    again = call("POST", "Observation", delivery, observation(ident="urn:uuid:d1"),
                 If_None_Exist=condition)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert len([o for o in backend.resources("Observation")
                if o.get("identifier") == first.json()["identifier"]]) == 1


def test_guessing_an_identifier_reveals_nothing(backend: DemoBackend, call: Call,
                                                delivery: str) -> None:
    (proxy,) = [r for r in backend.resources("RelatedPerson")
                if r["id"] == "kari-parent-of-emil"]
    (number,) = proxy["identifier"]
    probe = {"resourceType": "RelatedPerson", "patient": {"reference": "Patient/ola"},
             "identifier": [number]}
    answer = call("POST", "RelatedPerson", delivery, probe,
                  If_None_Exist=f"identifier={number['system']}|{number['value']}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "information"
    assert "kari" not in answer.text.lower() and "emil" not in answer.text.lower()
    assert "Location" not in answer.headers and "ETag" not in answer.headers
    assert len(backend.resources("RelatedPerson")) == 2


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "Observation", None),
    ("GET", "Patient/kari", None),
    ("GET", "Slot", None),
    ("POST", "Appointment", {"resourceType": "Appointment", "status": "booked"}),
    ("POST", "Patient", {"resourceType": "Patient"}),
    ("PUT", "Consent/kari-research", {"resourceType": "Consent", "id": "kari-research"}),
])
def test_delivery_reads_and_changes_nothing(call: Call, delivery: str, method: str, path: str,
                                            body: dict | None) -> None:
    answer = call(method, path, delivery, body)
    assert answer.status_code == 403
    assert answer.json()["issue"][0]["code"] == "forbidden"


def test_a_delivered_submission_must_name_an_existing_patient(call: Call,
                                                              delivery: str) -> None:
    nobody = call("POST", "Observation", delivery, observation("nobody"))
    assert nobody.status_code == 400
    unnamed = {k: v for k, v in observation().items() if k != "subject"}
    assert call("POST", "Observation", delivery, unnamed).status_code == 403


def test_delivery_tokens_expire_and_can_be_revoked(backend: DemoBackend, call: Call,
                                                   clock: ManualClock) -> None:
    token = delivery_token(backend)
    revoke = requests.post(f"{backend.base_url}/oauth/revoke", data={"token": token},
                           auth=(backend.delivery_client_id, backend.delivery_secret),
                           timeout=TIMEOUT)
    assert revoke.status_code == 200
    assert call("POST", "Observation", token, observation()).status_code == 401
    later = delivery_token(backend)
    clock.advance(901)
    assert call("POST", "Observation", later, observation()).status_code == 401


def test_basic_credentials_are_form_encoded_per_rfc_6749(make_backend: MakeBackend) -> None:
    backend = make_backend(delivery_client_id="kiosk:1", delivery_secret="a b+c")
    raw = base64.b64encode(b"kiosk%3A1:a+b%2Bc").decode()
    answer = requests.post(f"{backend.base_url}/oauth/token",
                           data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {raw}"}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
