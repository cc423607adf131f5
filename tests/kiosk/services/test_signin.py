"""Device sign-in (RFC 8628) against the demo backend, approved through its real phone page."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.services.demo_backend import DemoBackend
from kiosk.services.http import HttpClient, ServiceRejected
from kiosk.services.signin import (
    DEMO_ENDPOINTS,
    DeviceAuthorization,
    DeviceSignIn,
    Endpoints,
    SignInRejected,
    TokenResponse,
    display_name,
)
from kiosk.session import Session
from tests.servers.oidc_provider import OidcServer

TIMEOUT = 5
Phone = Callable[..., requests.Response]


def flow_for(backend: DemoBackend, clock: ManualClock) -> DeviceSignIn:
    return DeviceSignIn(HttpClient(backend.base_url, timeout_s=TIMEOUT), "test-kiosk",
                        clock=clock)


def test_start_returns_a_readable_code_and_links(backend: DemoBackend,
                                                 clock: ManualClock) -> None:
    auth = flow_for(backend, clock).start()
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", auth.user_code)
    assert auth.verification_uri == f"{backend.base_url}/device"
    assert auth.verification_uri_complete == (
        f"{backend.base_url}/device?user_code={auth.user_code}")
    assert (auth.expires_in, auth.interval) == (300, 0)
    assert auth.expires_at == clock.monotonic() + 300
    assert auth.device_code not in repr(auth)


def test_pending_then_approved_on_the_phone_then_whoami(backend: DemoBackend,
                                                        clock: ManualClock, phone: Phone) -> None:
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


def test_the_code_works_only_once(backend: DemoBackend, clock: ManualClock, phone: Phone) -> None:
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
                                               clock: ManualClock) -> None:
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
                                                clock: ManualClock) -> None:
    backend = make_backend(code_lifetime_s=30)
    kiosk_clock = ManualClock()  # the kiosk thinks the code is still young: the server decides
    flow = DeviceSignIn(HttpClient(backend.base_url, timeout_s=TIMEOUT), "test-kiosk",
                        clock=kiosk_clock)
    auth = flow.start()
    clock.advance(31)
    assert flow.poll(auth).status == "expired"
    page = requests.get(auth.verification_uri_complete, timeout=TIMEOUT)
    assert page.status_code == 410 and "expired" in page.text


def test_expired_code_is_noticed_without_asking(backend: DemoBackend,
                                                clock: ManualClock) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    backend.stop()  # if the client asked, this would raise ServiceUnavailable
    clock.advance(300)
    assert flow.poll(auth).status == "expired"


def test_denied_on_the_phone(backend: DemoBackend, clock: ManualClock, phone: Phone) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    page = phone(auth.verification_uri_complete, auth.user_code, "", "deny")
    assert "Nothing was shared" in page.text
    assert flow.poll(auth).status == "denied"


def test_verification_page_shows_kiosk_code_and_choices(
    make_backend: Callable[..., DemoBackend], clock: ManualClock
) -> None:
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
    backend: DemoBackend, clock: ManualClock, phone: Phone
) -> None:
    flow = flow_for(backend, clock)
    auth = flow.start()
    page = phone(auth.verification_uri_complete, auth.user_code, "")
    assert page.status_code == 400
    assert "Choose who you are" in page.text
    assert flow.poll(auth).status == "pending"


def test_a_typed_code_in_lower_case_without_dash_is_found(backend: DemoBackend,
                                                          clock: ManualClock) -> None:
    auth = flow_for(backend, clock).start()
    typed = auth.user_code.replace("-", "").lower()
    page = requests.get(f"{backend.base_url}/device", params={"user_code": typed},
                        timeout=TIMEOUT)
    assert page.status_code == 200 and auth.user_code in page.text
    unknown = requests.get(f"{backend.base_url}/device", params={"user_code": "BBBB-BBBB"},
                           timeout=TIMEOUT)
    assert unknown.status_code == 404 and "We do not know this code" in unknown.text


def test_tokens_expire(backend: DemoBackend, clock: ManualClock,
                       sign_in: Callable[[str], TokenResponse], http: HttpClient) -> None:
    token = sign_in("kari")
    flow = DeviceSignIn(http, "test-kiosk", clock=clock)
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
    """A sign-in service, the kiosk's client for it, and a phone that answers on it."""

    flow: DeviceSignIn
    approve: Callable[[DeviceAuthorization, str], object]
    deny: Callable[[DeviceAuthorization], object]
    token_works: Callable[[TokenResponse], bool]


def _demo_service(make_backend: Callable[..., DemoBackend], clock: ManualClock,
                  phone: Phone, http_clients: list[HttpClient]) -> SignInService:
    backend = make_backend(poll_interval=5)
    http = HttpClient(backend.base_url, timeout_s=TIMEOUT, retries=0)
    http_clients.append(http)
    flow = DeviceSignIn(http, backend.client_id, clock=clock)

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
                  http_clients: list[HttpClient]) -> SignInService:
    http = HttpClient(server.base_url, timeout_s=TIMEOUT, retries=0)
    http_clients.append(http)

    def token_works(token: TokenResponse) -> bool:
        answer = requests.get(f"{server.base_url}/me", timeout=TIMEOUT,
                              headers={"Authorization": f"Bearer {token.access_token}"})
        assert answer.status_code in (200, 401)
        return answer.status_code == 200

    return SignInService(
        DeviceSignIn(http, server.client_id, clock=clock, discovery=True),
        approve=lambda auth, who: server.approve(auth.verification_uri_complete, login=who),
        deny=lambda auth: server.deny(auth.verification_uri_complete),
        token_works=token_works,
    )


@pytest.fixture(params=["demo", "oidc-provider"])
def service(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[SignInService]:
    http_clients: list[HttpClient] = []
    if request.param == "demo":
        yield _demo_service(request.getfixturevalue("make_backend"), clock,
                            request.getfixturevalue("phone"), http_clients)
    else:
        yield _oidc_service(request.getfixturevalue("oidc_server"), clock, http_clients)
    for http in http_clients:
        http.close()


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
    assert service.flow.sign_out(session) is True
    assert session.person is None
    assert not service.token_works(token)


def test_sign_out_forgets_the_person_even_when_the_service_is_away() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = HttpClient(f"http://127.0.0.1:{port}", timeout_s=TIMEOUT, retries=0)
    flow = DeviceSignIn(http, "test-kiosk")
    session = Session()
    session.sign_in("kari", "Kari Nordmann", "a-token")
    assert flow.sign_out(session) is False
    assert session.person is None and session.access_token is None
    http.close()


def test_configured_endpoints_without_revocation_do_not_ask() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        http = HttpClient(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout_s=TIMEOUT,
                          retries=0)
        flow = DeviceSignIn(http, "test-kiosk", endpoints=Endpoints("device", "token"))
        assert flow.revoke("a-token") is False
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
        http.close()
    with pytest.raises(ValueError, match="not both"):
        DeviceSignIn(http, "test-kiosk", endpoints=DEMO_ENDPOINTS, discovery=True)
