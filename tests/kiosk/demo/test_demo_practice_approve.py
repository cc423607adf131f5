"""``DemoBackend.practice_approve``: the practice kiosk's typed, in-process stand-in for the
phone's approval page. It approves a pending code as a practice citizen, and refuses what the
page refuses (an unknown, expired or used code, someone who is not a practice citizen)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend, PracticeCodeError
from tests.kiosk.demo.builders import TIMEOUT

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def start(backend: DemoBackend) -> dict[str, str]:
    """A kiosk's device authorization request, as plain HTTP."""
    answer = requests.post(f"{backend.base_url}/oauth/device_authorization",
                           data={"client_id": "helselos-kiosk"}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def poll(backend: DemoBackend, auth: dict[str, str]) -> dict[str, str]:
    return dict(requests.post(f"{backend.base_url}/oauth/token", data={
        "grant_type": DEVICE_GRANT, "client_id": "helselos-kiosk",
        "device_code": auth["device_code"]}, timeout=TIMEOUT).json())


def test_it_approves_as_the_first_citizen_the_phone_page_offers(backend: DemoBackend) -> None:
    auth = start(backend)
    assert poll(backend, auth)["error"] == "authorization_pending"
    first = backend.citizens[0][0]
    page = requests.get(auth["verification_uri_complete"], timeout=TIMEOUT).text
    assert page.index(f"value='{first}'") < min(
        page.index(f"value='{pid}'") for pid, _ in backend.citizens[1:])
    assert backend.practice_approve(auth["user_code"]) == first
    token = poll(backend, auth)
    assert token["patient"] == first and token["access_token"]
    answer = requests.get(f"{backend.fhir_base}/Patient/{first}", timeout=TIMEOUT,
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 200


def test_it_approves_as_a_named_citizen(backend: DemoBackend) -> None:
    auth = start(backend)
    # Typed as a person would: lower case, without the hyphen.
    assert backend.practice_approve(auth["user_code"].lower().replace("-", ""), "ola") == "ola"
    assert poll(backend, auth)["patient"] == "ola"


def test_someone_not_offered_on_the_phone_is_refused(backend: DemoBackend) -> None:
    auth = start(backend)
    offered = [pid for pid, _ in backend.citizens]
    assert "emil" not in offered  # a child: never offered
    with pytest.raises(PracticeCodeError, match="'emil' is not a practice citizen"):
        backend.practice_approve(auth["user_code"], "emil")
    assert poll(backend, auth)["error"] == "authorization_pending"


def test_an_unknown_code_is_a_clear_error(backend: DemoBackend) -> None:
    start(backend)
    with pytest.raises(PracticeCodeError, match="no sign-in is waiting for the code 'BBBB-BBBB'"):
        backend.practice_approve("BBBB-BBBB")


def test_an_expired_code_is_a_clear_error(make_backend: Callable[..., DemoBackend],
                                          clock: ManualClock) -> None:
    backend = make_backend(code_lifetime_s=60)
    auth = start(backend)
    clock.advance(60)
    with pytest.raises(PracticeCodeError, match="has expired"):
        backend.practice_approve(auth["user_code"])
    assert poll(backend, auth)["error"] == "expired_token"


def test_a_code_is_approved_once(backend: DemoBackend) -> None:
    auth = start(backend)
    backend.practice_approve(auth["user_code"])
    with pytest.raises(PracticeCodeError, match="already approved"):
        backend.practice_approve(auth["user_code"], "ola")
    assert poll(backend, auth)["patient"] == backend.citizens[0][0]
    with pytest.raises(PracticeCodeError, match="already used"):
        backend.practice_approve(auth["user_code"])


def test_it_is_a_lookup_error(backend: DemoBackend) -> None:
    """Callers that know nothing of the demo can still catch it as a failed lookup."""
    with pytest.raises(LookupError):
        backend.practice_approve("CCCC-CCCC")
