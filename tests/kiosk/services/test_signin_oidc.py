"""Device sign-in (RFC 8628) against a real oidc-provider on 127.0.0.1, approved by a phone that
walks the provider's own pages. Waits between polls go through an injected sleep and a manual
clock; only the expiry and interval tests really wait (about two seconds each)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.services.http import BadResponse, HttpClient
from kiosk.services.signin import (
    DEFAULT_INTERVAL_S,
    DeviceAuthorization,
    DeviceSignIn,
    SignInRejected,
)
from kiosk.session import Session
from tests.servers.oidc_provider import OidcServer, OidcServers, PhoneError

TIMEOUT = 5
Sleep = Callable[[float], bool]


@pytest.fixture
def clients() -> Iterator[list[HttpClient]]:
    made: list[HttpClient] = []
    yield made
    for client in made:
        client.close()


@pytest.fixture
def flow_for(clock: ManualClock,
             clients: list[HttpClient]) -> Callable[..., DeviceSignIn]:
    """A kiosk's sign-in client for a server, finding its endpoints by discovery."""

    def make(server: OidcServer, client_id: str | None = None,
             base_url: str | None = None) -> DeviceSignIn:
        http = HttpClient(base_url or server.base_url, timeout_s=TIMEOUT, retries=0)
        clients.append(http)
        return DeviceSignIn(http, client_id or server.client_id, clock=clock, discovery=True)

    return make


def recording_sleep(clock: ManualClock, slept: list[float],
                    then: Callable[[int], None] = lambda call: None) -> Sleep:
    """A sleep that moves the kiosk's clock instead of waiting; ``then(n)`` runs after call n."""

    def sleep(seconds: float) -> bool:
        slept.append(seconds)
        clock.advance(seconds)
        then(len(slept))
        return True

    return sleep


def userinfo(server: OidcServer, token: str) -> requests.Response:
    """Ask the provider who the token belongs to: proof that it is (still) valid."""
    return requests.get(f"{server.base_url}/me", headers={"Authorization": f"Bearer {token}"},
                        timeout=TIMEOUT)


def test_discovery_finds_device_token_and_revocation_endpoints(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn]
) -> None:
    endpoints = flow_for(oidc_server).endpoints()
    base = oidc_server.base_url
    assert endpoints.device_authorization == f"{base}/device/auth"
    assert endpoints.token == f"{base}/token"
    assert endpoints.revocation == f"{base}/token/revocation"


def test_metadata_of_another_issuer_is_refused(oidc_server: OidcServer,
                                              flow_for: Callable[..., DeviceSignIn]) -> None:
    port = oidc_server.base_url.rsplit(":", 1)[1]
    flow = flow_for(oidc_server, base_url=f"http://localhost:{port}")
    with pytest.raises(BadResponse, match="issuer"):
        flow.start()


def test_without_an_interval_the_kiosk_polls_every_five_seconds(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn], clock: ManualClock
) -> None:
    auth = flow_for(oidc_server).start()
    assert auth.interval == DEFAULT_INTERVAL_S == 5
    assert auth.expires_in == 300 and auth.expires_at == clock.monotonic() + 300
    assert auth.verification_uri == f"{oidc_server.base_url}/device"
    assert auth.verification_uri_complete.endswith(f"?user_code={auth.user_code}")
    assert auth.device_code not in repr(auth)


def test_pending_then_approved_on_the_phone_gives_a_working_token(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn], clock: ManualClock
) -> None:
    flow = flow_for(oidc_server)
    auth = flow.start()
    pending = flow.poll(auth)
    assert (pending.status, pending.msgid) == (
        "pending", "Waiting for you to say yes on your phone…")
    slept: list[float] = []

    def phone_says_yes(call: int) -> None:
        if call == 2:
            oidc_server.approve(auth.verification_uri_complete, login="kari")

    result = flow.wait(auth, recording_sleep(clock, slept, phone_says_yes))
    assert result is not None and result.status == "approved"
    assert slept == [5, 5]
    assert result.token is not None and result.token.patient_id == "kari"
    assert result.token.access_token not in repr(result)
    assert userinfo(oidc_server, result.token.access_token).json()["sub"] == "kari"


def test_a_device_code_works_once_and_replaying_it_revokes_the_token(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn]
) -> None:
    flow = flow_for(oidc_server)
    auth = flow.start()
    oidc_server.approve(auth.verification_uri_complete)
    token = flow.poll(auth).token
    assert token is not None
    with pytest.raises(SignInRejected) as caught:
        flow.poll(auth)
    assert caught.value.code == "invalid_grant"
    assert caught.value.msgid == (
        "Sign-in did not work. Get a new code, or ask a staff member for help.")
    assert userinfo(oidc_server, token.access_token).status_code == 401
    with pytest.raises(PhoneError):
        oidc_server.approve(auth.verification_uri_complete)


def test_denied_on_the_phone(oidc_server: OidcServer,
                             flow_for: Callable[..., DeviceSignIn]) -> None:
    flow = flow_for(oidc_server)
    auth = flow.start()
    page = oidc_server.deny(auth.verification_uri_complete)
    assert "interrupted" in page.text
    result = flow.poll(auth)
    assert (result.status, result.final, result.msgid) == (
        "denied", True, "Sign-in was stopped on the phone.")


def test_waiting_stops_when_the_caller_says_so(oidc_server: OidcServer,
                                               flow_for: Callable[..., DeviceSignIn]) -> None:
    flow = flow_for(oidc_server)
    auth = flow.start()
    asked: list[float] = []

    def cancelled(seconds: float) -> bool:
        asked.append(seconds)
        return False

    assert flow.wait(auth, cancelled) is None
    assert asked == [5]


def test_the_kiosk_notices_expiry_by_its_own_clock(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn], clock: ManualClock
) -> None:
    flow = flow_for(oidc_server)
    auth = flow.start()
    slept: list[float] = []
    result = flow.wait(auth, recording_sleep(clock, slept))
    assert result is not None
    assert (result.status, result.msgid) == ("expired", "The code has expired. Get a new code.")
    assert slept == [5] * 60  # then the kiosk's clock says expired: no 61st poll


def test_the_server_says_the_code_expired(oidc_servers: OidcServers,
                                          flow_for: Callable[..., DeviceSignIn]) -> None:
    server = oidc_servers.get(device_code_ttl=2)
    flow = flow_for(server)  # the kiosk's clock stands still: the server must say it
    started = time.monotonic()
    auth = flow.start()
    assert auth.expires_in <= 2
    assert flow.poll(auth).status == "pending"
    time.sleep(max(0.0, started + 2.2 - time.monotonic()))
    assert flow.poll(auth).status == "expired"
    with pytest.raises(PhoneError):
        server.approve(auth.verification_uri_complete)


def test_the_advertised_interval_is_kept_and_slow_down_adds_five_seconds(
    oidc_servers: OidcServers, flow_for: Callable[..., DeviceSignIn], clock: ManualClock
) -> None:
    server = oidc_servers.get(interval=1)
    flow = flow_for(server)
    auth = flow.start()
    assert auth.interval == 1
    slept: list[float] = []

    def sleep_for_real(seconds: float) -> bool:
        slept.append(seconds)
        time.sleep(seconds)  # the server measures the interval by its own clock
        if len(slept) == 2:
            server.approve(auth.verification_uri_complete)
        return True

    result = flow.wait(auth, sleep_for_real)  # two polls, one second apart: no slow_down
    assert result is not None and result.status == "approved" and slept == [1, 1]

    auth = flow.start()
    assert flow.poll(auth).status == "pending"
    fast = flow.poll(auth)
    assert (fast.status, fast.interval, auth.interval) == ("slow_down", 6, 6)
    assert not fast.final and fast.msgid == "Waiting for you to say yes on your phone…"
    slept.clear()

    def phone_says_yes(call: int) -> None:
        server.approve(auth.verification_uri_complete)

    result = flow.wait(auth, recording_sleep(clock, slept, phone_says_yes))
    assert result is not None and result.status == "approved" and slept == [6]


def test_an_unknown_kiosk_is_refused_with_a_clear_message(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn]
) -> None:
    with pytest.raises(SignInRejected) as caught:
        flow_for(oidc_server, client_id="not-a-kiosk").start()
    assert caught.value.code == "invalid_client"
    assert "staff member" in caught.value.msgid


def test_sign_out_revokes_the_token_and_forgets_the_person(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn]
) -> None:
    flow = flow_for(oidc_server)
    auth: DeviceAuthorization = flow.start()
    oidc_server.approve(auth.verification_uri_complete, login="ola")
    token = flow.poll(auth).token
    assert token is not None
    session = Session()
    session.sign_in(token.patient_id, "Ola Nordmann", token.access_token)
    assert userinfo(oidc_server, token.access_token).status_code == 200
    assert flow.sign_out(session) is True
    assert not session.signed_in and session.access_token is None
    assert userinfo(oidc_server, token.access_token).status_code == 401
    assert flow.sign_out(session) is False  # nobody signed in: nothing to revoke
