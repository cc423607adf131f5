"""Fixtures: a real demo backend on 127.0.0.1, a manual clock, and sign-in done like a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.services.appointments import AppointmentService
from kiosk.services.demo_backend import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.signin import DeviceSignIn, TokenResponse
from tests.servers.oidc_provider import oidc_fhiruser_server  # noqa: F401
from tests.servers.two_origins import two_origins  # noqa: F401

TIMEOUT = 5


def approve_on_phone(user_code_url: str, user_code: str, patient: str,
                     decision: str = "approve") -> requests.Response:
    """Submit the verification form exactly as a phone's browser would."""
    page = user_code_url.split("?", 1)[0]
    return requests.post(
        page, data={"user_code": user_code, "patient": patient, "decision": decision},
        timeout=TIMEOUT,
    )


@pytest.fixture
def phone() -> Callable[..., requests.Response]:
    """The citizen's phone: ``phone(verification_uri_complete, user_code, patient, decision)``."""
    return approve_on_phone


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_backend(clock: ManualClock) -> Iterator[Callable[..., DemoBackend]]:
    """Start demo backends on an ephemeral loopback port; all are stopped after the test."""
    started: list[DemoBackend] = []

    def make(**kwargs: object) -> DemoBackend:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("poll_interval", 0)
        backend = DemoBackend("127.0.0.1", 0, **kwargs)  # type: ignore[arg-type]
        backend.start()
        started.append(backend)
        return backend

    yield make
    for backend in started:
        backend.stop()


@pytest.fixture
def backend(make_backend: Callable[..., DemoBackend]) -> DemoBackend:
    return make_backend()


@pytest.fixture
def http(backend: DemoBackend) -> Iterator[HttpClient]:
    client = HttpClient(backend.base_url, timeout_s=TIMEOUT, retries=0)
    yield client
    client.close()


@pytest.fixture
def sign_in(http: HttpClient, backend: DemoBackend,
            clock: ManualClock) -> Callable[[str], TokenResponse]:
    """Run the whole device flow for a practice citizen and return the token."""

    def run(patient: str) -> TokenResponse:
        flow = DeviceSignIn(http, "test-kiosk", clock=clock)
        auth = flow.start()
        approve_on_phone(auth.verification_uri_complete, auth.user_code, patient)
        result = flow.poll(auth)
        assert result.status == "approved" and result.token is not None
        return result.token

    return run


@pytest.fixture
def appointments(http: HttpClient) -> AppointmentService:
    return AppointmentService(FhirClient(http), page_size=40)
