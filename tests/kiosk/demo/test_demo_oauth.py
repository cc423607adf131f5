"""Sign-in endpoints spoken to with plain HTTP: slow_down (RFC 8628) and revocation (RFC 7009)."""

from __future__ import annotations

from collections.abc import Callable

import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from tests.kiosk.demo.builders import TIMEOUT
from tests.kiosk.demo.conftest import Call

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def post(backend: DemoBackend, endpoint: str, **form: str) -> requests.Response:
    return requests.post(f"{backend.base_url}/oauth/{endpoint}", data=form, timeout=TIMEOUT)


def test_polling_faster_than_the_interval_slows_down_by_5_s_each_time(
        make_backend: Callable[..., DemoBackend], clock: ManualClock) -> None:
    backend = make_backend(poll_interval=2)
    auth = post(backend, "device_authorization", client_id="k").json()
    assert auth["interval"] == 2

    def poll() -> str:
        return str(post(backend, "token", grant_type=DEVICE_GRANT, client_id="k",
                        device_code=auth["device_code"]).json()["error"])

    assert poll() == "authorization_pending"
    assert poll() == "slow_down"            # at once: the interval becomes 7 s
    clock.advance(5)
    assert poll() == "slow_down"            # 5 s < 7 s: now 12 s
    clock.advance(12)
    assert poll() == "authorization_pending"
    clock.advance(11)
    assert poll() == "slow_down"


def test_revoking_a_citizen_token_ends_it_at_once(backend: DemoBackend, call: Call,
                                                  kari: str) -> None:
    assert call("GET", "Patient/kari", kari).status_code == 200
    # The sign_in fixture signs in as the kiosk's default client, helselos-kiosk.
    answer = post(backend, "revoke", token=kari, token_type_hint="access_token",
                  client_id="helselos-kiosk")
    assert (answer.status_code, answer.content) == (200, b"")
    assert answer.headers["Cache-Control"] == "no-store"
    assert call("GET", "Patient/kari", kari).status_code == 401
    again = post(backend, "revoke", token=kari, client_id="helselos-kiosk")
    assert again.status_code == 200  # RFC 7009 2.2: an unknown token is not an error


def test_only_the_client_it_was_issued_to_may_revoke_it(backend: DemoBackend, call: Call,
                                                        kari: str) -> None:
    answer = post(backend, "revoke", token=kari, client_id="someone-else")
    assert answer.status_code == 400 and answer.json()["error"] == "unauthorized_client"
    assert call("GET", "Patient/kari", kari).status_code == 200


def test_revoke_needs_a_token_and_a_client(backend: DemoBackend) -> None:
    assert post(backend, "revoke", client_id="k").json()["error"] == "invalid_request"
    assert post(backend, "revoke", token="abc").json()["error"] == "invalid_request"


def test_unknown_grants_and_endpoints(backend: DemoBackend) -> None:
    assert post(backend, "token", grant_type="password").json()["error"] == (
        "unsupported_grant_type")
    assert post(backend, "introspect", token="x").status_code == 404
