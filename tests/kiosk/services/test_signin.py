"""Device sign-in (RFC 8628) against the demo backend, approved through its real phone page."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.http import ServiceRejected
from kiosk.services.signin import (
    DeviceAuthorization,
    DeviceSignIn,
    SignInRejected,
    TokenResponse,
    display_name,
)
from kiosk.session import Session
from tests.documents_server import DocumentsServer
from tests.servers.oidc_provider import OidcServer
from tests.signin_kit import close_sign_in, device_sign_in

TIMEOUT = 5
Phone = Callable[..., requests.Response]
FlowFor = Callable[[DemoBackend, ManualClock], DeviceSignIn]
UNUSED_FHIR_BASE = "http://127.0.0.1:9/fhir"
"""The FHIR base of a sign-in against oidc-provider alone: named as the token's audience, never
contacted (nothing here reads the record)."""


@pytest.fixture
def flows() -> Iterator[list[DeviceSignIn]]:
    """Sign-in flows made in a test, closed after it."""
    made: list[DeviceSignIn] = []
    yield made
    for flow in made:
        close_sign_in(flow)


@pytest.fixture
def flow_for(flows: list[DeviceSignIn]) -> FlowFor:
    """The kiosk's sign-in for a demo service, found from its FHIR base as the runtime does."""

    def make(backend: DemoBackend, clock: ManualClock) -> DeviceSignIn:
        flows.append(device_sign_in(backend.fhir_base, "test-kiosk", clock=clock))
        return flows[-1]

    return make


def test_start_returns_a_readable_code_and_links(backend: DemoBackend,
                                                 clock: ManualClock, flow_for: FlowFor) -> None:
    auth = flow_for(backend, clock).start()
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", auth.user_code)
    assert auth.verification_uri == f"{backend.base_url}/device"
    assert auth.verification_uri_complete == (
        f"{backend.base_url}/device?user_code={auth.user_code}")
    assert (auth.expires_in, auth.interval) == (300, 0)
    assert auth.expires_at == clock.monotonic() + 300
    assert auth.device_code not in repr(auth)


def test_pending_then_approved_on_the_phone_then_whoami(backend: DemoBackend,
                                                        clock: ManualClock, phone: Phone,
                                                        flow_for: FlowFor) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    assert flow.poll(auth).status == "pending"
    page = phone(auth.verification_uri_complete, auth.user_code, "ola")
    assert page.status_code == 200
    assert "You are signed in" in page.text
    result = flow.poll(auth)
    assert result.status == "approved"
    assert result.token is not None and result.token.patient_id == "ola"
    assert flow.whoami(result.token) == ("ola", "Ola Nordmann")


def test_the_code_works_only_once(backend: DemoBackend, clock: ManualClock, phone: Phone,
                                  flow_for: FlowFor) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    phone(auth.verification_uri_complete, auth.user_code, "kari")
    assert flow.poll(auth).status == "approved"
    with pytest.raises(ServiceRejected) as caught:
        flow.poll(auth)
    assert caught.value.code == "invalid_grant"
    again = phone(auth.verification_uri_complete, auth.user_code, "ola")
    assert again.status_code == 409


def test_polling_too_fast_is_told_to_slow_down(make_backend: Callable[..., DemoBackend],
                                               clock: ManualClock, flow_for: FlowFor) -> None:
    backend = make_backend(poll_interval=5)
    flow = flow_for(backend, clock)
    auth = flow.start()
    assert flow.poll(auth).status == "pending"
    clock.advance(1)
    result = flow.poll(auth)
    assert (result.status, result.interval, auth.interval) == ("slow_down", 10, 10)
    clock.advance(10)
    assert flow.poll(auth).status == "pending"


def test_expired_code_is_reported_by_the_server(make_backend: Callable[..., DemoBackend],
                                                clock: ManualClock, flow_for: FlowFor) -> None:
    backend = make_backend(code_lifetime_s=30)
    kiosk_clock = ManualClock()  # the kiosk thinks the code is still young: the server decides
    flow = flow_for(backend, kiosk_clock)
    auth = flow.start()
    clock.advance(31)
    assert flow.poll(auth).status == "expired"
    page = requests.get(auth.verification_uri_complete, timeout=TIMEOUT)
    assert page.status_code == 410 and "expired" in page.text


def test_expired_code_is_noticed_without_asking(backend: DemoBackend,
                                                clock: ManualClock, flow_for: FlowFor) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    backend.stop()  # if the client asked, this would raise ServiceUnavailable
    clock.advance(300)
    assert flow.poll(auth).status == "expired"


def test_denied_on_the_phone(backend: DemoBackend, clock: ManualClock, phone: Phone,
                             flow_for: FlowFor) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    page = phone(auth.verification_uri_complete, auth.user_code, "", "deny")
    assert "Nothing was shared" in page.text
    assert flow.poll(auth).status == "denied"


def test_verification_page_shows_kiosk_code_and_choices(
    make_backend: Callable[..., DemoBackend], clock: ManualClock, flow_for: FlowFor) -> None:
    backend = make_backend(kiosk_name="Deichman <Grünerløkka>")
    auth = flow_for(backend, clock).start()
    page = requests.get(auth.verification_uri_complete, timeout=TIMEOUT)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert '<html lang="en">' in text
    assert "Deichman &lt;Grünerløkka&gt;" in text and "<Grünerløkka>" not in text
    assert "Is this the code on the kiosk screen?" in text
    assert auth.user_code in text
    assert text.count("type='radio' name='patient'") == len(backend.citizens)
    assert "value='approve'" in text and "value='deny'" in text


def test_approving_without_choosing_a_person_keeps_waiting(
    backend: DemoBackend, clock: ManualClock, phone: Phone, flow_for: FlowFor) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    page = phone(auth.verification_uri_complete, auth.user_code, "")
    assert page.status_code == 400
    assert "Choose who you are" in page.text
    assert flow.poll(auth).status == "pending"


def test_a_typed_code_in_lower_case_without_dash_is_found(backend: DemoBackend,
                                                          clock: ManualClock,
                                                          flow_for: FlowFor) -> None:
    auth = flow_for(backend, clock).start()
    typed = auth.user_code.replace("-", "").lower()
    page = requests.get(f"{backend.base_url}/device", params={"user_code": typed},
                        timeout=TIMEOUT)
    assert page.status_code == 200 and auth.user_code in page.text
    unknown = requests.get(f"{backend.base_url}/device", params={"user_code": "BBBB-BBBB"},
                           timeout=TIMEOUT)
    assert unknown.status_code == 404 and "We do not know this code" in unknown.text


def test_tokens_expire(backend: DemoBackend, clock: ManualClock,
                       sign_in: Callable[[str], TokenResponse], flow_for: FlowFor) -> None:
    token = sign_in("kari")
    flow = flow_for(backend, clock)
    clock.advance(901)
    with pytest.raises(ServiceRejected) as caught:
        flow.whoami(token)
    assert caught.value.status == 401


def test_display_name_prefers_official_and_text() -> None:
    patient = {"name": [{"use": "usual", "given": ["Kari"]},
                        {"use": "official", "given": ["Kari", "Anne"], "family": "Nordmann"}]}
    assert display_name(patient) == "Kari Anne Nordmann"
    assert display_name({"name": [{"text": "Ola N."}]}) == "Ola N."


# ---- the same client behaviour against the demo service and a real oidc-provider ------------


@dataclass
class SignInService:
    """A sign-in service, the kiosk's client for it, and a phone that answers on it.

    ``revocation_ends_token``: a revoked token stops working at once. oidc-provider issues
    resource-bound JWT access tokens, which it keeps no record of: it answers their revocation
    with 200 (RFC 7009) and the resource server accepts them until they expire."""

    flow: DeviceSignIn
    approve: Callable[[DeviceAuthorization, str], object]
    deny: Callable[[DeviceAuthorization], object]
    token_works: Callable[[TokenResponse], bool]
    revocation_ends_token: bool = True


def _demo_service(make_backend: Callable[..., DemoBackend], clock: ManualClock,
                  phone: Phone, flows: list[DeviceSignIn]) -> SignInService:
    backend = make_backend(poll_interval=5)
    flow = device_sign_in(backend.fhir_base, clock=clock)
    flows.append(flow)

    def token_works(token: TokenResponse) -> bool:
        try:
            flow.whoami(token)
        except ServiceRejected as exc:
            assert exc.status == 401
            return False
        return True

    return SignInService(
        flow,
        approve=lambda auth, who: phone(auth.verification_uri_complete, auth.user_code, who),
        deny=lambda auth: phone(auth.verification_uri_complete, auth.user_code, "", "deny"),
        token_works=token_works,
    )


def _oidc_service(server: OidcServer, clock: ManualClock,
                  flows: list[DeviceSignIn]) -> SignInService:
    flow = device_sign_in(UNUSED_FHIR_BASE, server.client_id, issuer=server.base_url,
                          clock=clock)
    flows.append(flow)

    def token_works(token: TokenResponse) -> bool:
        """The access token is a JWT for the FHIR base: it works when the provider's published
        keys verify it, for that audience and not expired, as a resource server checks it."""
        return bool(verified_access_token(server, token.access_token, UNUSED_FHIR_BASE))

    return SignInService(
        flow,
        approve=lambda auth, who: server.approve(auth.verification_uri_complete, login=who),
        deny=lambda auth: server.deny(auth.verification_uri_complete),
        token_works=token_works,
        revocation_ends_token=False,
    )


def verified_access_token(server: OidcServer, token: str, audience: str) -> dict[str, Any]:
    """The access token's claims, checked against the provider's published keys, or {}."""
    metadata = requests.get(f"{server.base_url}/.well-known/openid-configuration",
                            timeout=TIMEOUT).json()
    keys = jwt.PyJWKClient(metadata["jwks_uri"], timeout=TIMEOUT)
    try:
        claims: dict[str, Any] = jwt.decode(
            token, keys.get_signing_key_from_jwt(token), algorithms=["RS256"],
            audience=audience, issuer=server.base_url)
    except jwt.PyJWTError:
        return {}
    return claims


@pytest.fixture(params=["demo", "oidc-provider"])
def service(request: pytest.FixtureRequest, clock: ManualClock,
            flows: list[DeviceSignIn]) -> SignInService:
    if request.param == "demo":
        return _demo_service(request.getfixturevalue("make_backend"), clock,
                             request.getfixturevalue("phone"), flows)
    return _oidc_service(request.getfixturevalue("oidc_server"), clock, flows)


def clock_sleep(clock: ManualClock, slept: list[float],
                then: Callable[[], object] = lambda: None) -> Callable[[float], bool]:
    """Sleep by moving the kiosk's clock; ``then`` runs during the first sleep."""

    def sleep(seconds: float) -> bool:
        slept.append(seconds)
        clock.advance(seconds)
        if len(slept) == 1:
            then()
        return True

    return sleep


def test_wait_returns_the_token_once_the_phone_approves(service: SignInService,
                                                        clock: ManualClock) -> None:
    auth = service.flow.start()
    assert service.flow.poll(auth).status == "pending"
    slept: list[float] = []
    result = service.flow.wait(auth, clock_sleep(clock, slept,
                                                 lambda: service.approve(auth, "kari")))
    assert result is not None and (result.status, result.final) == ("approved", True)
    assert slept == [5]
    assert result.token is not None and result.token.patient_id == "kari"
    assert service.token_works(result.token)


def test_a_denied_sign_in_ends_the_wait(service: SignInService, clock: ManualClock) -> None:
    auth = service.flow.start()
    slept: list[float] = []
    result = service.flow.wait(auth, clock_sleep(clock, slept, lambda: service.deny(auth)))
    assert result is not None
    assert (result.status, result.msgid) == ("denied", "Sign-in was stopped on the phone.")


def test_a_used_device_code_is_refused(service: SignInService) -> None:
    auth = service.flow.start()
    service.approve(auth, "kari")
    assert service.flow.poll(auth).status == "approved"
    with pytest.raises(SignInRejected) as caught:
        service.flow.poll(auth)
    assert caught.value.code == "invalid_grant"


def test_nobody_answers_so_the_code_expires(service: SignInService, clock: ManualClock) -> None:
    auth = service.flow.start()
    slept: list[float] = []
    result = service.flow.wait(auth, clock_sleep(clock, slept))
    assert result is not None
    assert (result.status, result.msgid) == ("expired", "The code has expired. Get a new code.")
    assert sum(slept) == auth.expires_in


def test_sign_out_revokes_the_token(service: SignInService) -> None:
    auth = service.flow.start()
    service.approve(auth, "ola")
    token = service.flow.poll(auth).token
    assert token is not None
    session = Session()
    session.sign_in(token.patient_id, "Ola Nordmann", token.access_token)
    assert service.token_works(token)
    assert service.flow.sign_out(session) is True  # the provider confirmed the revocation
    assert session.person is None
    if service.revocation_ends_token:
        assert not service.token_works(token)


def test_sign_out_forgets_the_person_even_when_the_service_is_away(
        flows: list[DeviceSignIn]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    flow = device_sign_in(f"http://127.0.0.1:{port}/fhir", "test-kiosk")
    flows.append(flow)
    session = Session()
    session.sign_in("kari", "Kari Nordmann", "a-token")
    assert flow.sign_out(session) is False
    assert session.person is None and session.access_token is None


def test_a_service_without_revocation_is_not_asked(documents: DocumentsServer,
                                                   flows: list[DeviceSignIn]) -> None:
    issuer = documents.url
    documents.documents["/.well-known/openid-configuration"] = {
        "issuer": issuer, "device_authorization_endpoint": f"{issuer}/device",
        "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
    }
    flow = device_sign_in(f"{documents.url}/fhir", "test-kiosk", issuer=issuer)
    flows.append(flow)
    assert flow.discovery.service().revocation is None
    asked: list[tuple[str, str]] = []
    really = flow.discovery.pool.request

    def recorded(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        asked.append((method, url))
        return really(method, url, **kwargs)

    flow.discovery.pool.request = recorded  # type: ignore[method-assign]
    assert flow.revoke("a-token") is False
    assert asked == []  # nobody was asked
