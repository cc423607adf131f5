"""Fixtures: a real demo backend on 127.0.0.1, a manual clock, and sign-in done like a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.appointments import AppointmentService
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.signin import DeviceSignIn, TokenResponse
from tests.signin_kit import close_sign_in, device_sign_in

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
    """A client of the demo's FHIR API (its base URL is the FHIR base)."""
    client = HttpClient(backend.fhir_base, timeout_s=TIMEOUT, retries=0)
    yield client
    client.close()


@pytest.fixture
def sign_in(backend: DemoBackend,
            clock: ManualClock) -> Iterator[Callable[[str], TokenResponse]]:
    """Run the whole device flow for a practice citizen and return the token."""
    flows: list[DeviceSignIn] = []

    def run(patient: str) -> TokenResponse:
        flow = device_sign_in(backend.fhir_base, clock=clock)
        flows.append(flow)
        auth = flow.start()
        approve_on_phone(auth.verification_uri_complete, auth.user_code, patient)
        result = flow.poll(auth)
        assert result.status == "approved" and result.token is not None
        return result.token

    yield run
    for flow in flows:
        close_sign_in(flow)


@pytest.fixture
def appointments(http: HttpClient) -> AppointmentService:
    return AppointmentService(FhirClient(http), page_size=40)
