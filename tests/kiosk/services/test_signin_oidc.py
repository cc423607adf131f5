"""Device sign-in (RFC 8628) against a real oidc-provider on 127.0.0.1, approved by a phone that
walks the provider's own pages. Waits between polls go through an injected sleep and a manual
clock; only the expiry and interval tests really wait (about two seconds each).

There is no FHIR server here: the kiosk is configured with the provider as its issuer and a FHIR
base on loopback that is never contacted, named as the audience of its access tokens (the
provider issues JWT access tokens for it, which the tests verify with the provider's keys)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.services.discovery import DiscoveryError
from kiosk.services.signin import (
    DEFAULT_INTERVAL_S,
    DeviceAuthorization,
    DeviceSignIn,
    SignInRejected,
)
from kiosk.session import Session
from tests.servers.oidc_provider import OidcServer, OidcServers, PhoneError
from tests.signin_kit import close_sign_in, device_sign_in

TIMEOUT = 5
FHIR_BASE = "http://127.0.0.1:9/fhir"
"""The kiosk's FHIR base: the audience of its tokens, never contacted here."""
Sleep = Callable[[float], bool]


@pytest.fixture
def flows() -> Iterator[list[DeviceSignIn]]:
    made: list[DeviceSignIn] = []
    yield made
    for flow in made:
        close_sign_in(flow)


@pytest.fixture
def flow_for(clock: ManualClock,
             flows: list[DeviceSignIn]) -> Callable[..., DeviceSignIn]:
    """A kiosk's sign-in client for a server as its configured issuer, finding its endpoints
    by discovery."""

    def make(server: OidcServer, client_id: str | None = None,
             issuer: str | None = None) -> DeviceSignIn:
        flows.append(device_sign_in(FHIR_BASE, client_id or server.client_id,
                                    issuer=issuer or server.base_url, clock=clock))
        return flows[-1]

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


def verified(server: OidcServer, token: str) -> dict[str, Any]:
    """The access token's claims, checked as a resource server checks them: signed with the
    provider's published keys, issued by it, for the kiosk's FHIR base, not expired."""
    metadata = requests.get(f"{server.base_url}/.well-known/openid-configuration",
                            timeout=TIMEOUT).json()
    keys = jwt.PyJWKClient(metadata["jwks_uri"], timeout=TIMEOUT)
    claims: dict[str, Any] = jwt.decode(
        token, keys.get_signing_key_from_jwt(token), algorithms=["RS256"], audience=FHIR_BASE,
        issuer=server.base_url)
    return claims


def test_discovery_finds_device_token_and_revocation_endpoints(
    oidc_server: OidcServer, flow_for: Callable[..., DeviceSignIn]
) -> None:
    endpoints = flow_for(oidc_server).discovery.service()
    base = oidc_server.base_url
    assert endpoints.device_authorization == f"{base}/device/auth"
    assert endpoints.token == f"{base}/token"
    assert endpoints.revocation == f"{base}/token/revocation"


def test_metadata_of_another_issuer_is_refused(oidc_server: OidcServer,
                                              flow_for: Callable[..., DeviceSignIn]) -> None:
    port = oidc_server.base_url.rsplit(":", 1)[1]
    flow = flow_for(oidc_server, issuer=f"http://localhost:{port}")
    with pytest.raises(DiscoveryError, match="issuer"):
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
    assert verified(oidc_server, result.token.access_token)["sub"] == "kari"


def test_a_device_code_works_once(
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
    assert verified(oidc_server, token.access_token)["sub"] == "ola"
    # True: the provider answered the revocation with 200 (RFC 7009). The JWT access token itself
    # stays valid at a resource server until it expires: the provider keeps no record of it.
    assert flow.sign_out(session) is True
    assert not session.signed_in and session.access_token is None
    assert flow.sign_out(session) is False  # nobody signed in: nothing to revoke
