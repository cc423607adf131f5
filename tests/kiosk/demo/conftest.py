"""Fixtures for the demo service's own tests: raw HTTP calls, citizen and delivery tokens.

The demo backends, the manual clock and sign-in like a phone are the same fixtures the kiosk's
service tests use (tests/kiosk/services/conftest.py), imported here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

import pytest
import requests

from kiosk.demo import DemoBackend
from kiosk.services.signin import TokenResponse
from tests.kiosk.demo.builders import delivery_token
from tests.kiosk.services import conftest as services

backend, clock, make_backend, sign_in = (
    services.backend, services.clock, services.make_backend, services.sign_in)

TIMEOUT = 5


class Call(Protocol):
    def __call__(self, method: str, path: str, token: str | None, body: Any = None,
                 **headers: str) -> requests.Response: ...


@pytest.fixture
def call(backend: DemoBackend) -> Call:
    """``call("POST", "Observation", token, resource, **headers)`` against /fhir."""

    def run(method: str, path: str, token: str | None, body: Any = None,
            **headers: str) -> requests.Response:
        sent = {"Content-Type": "application/fhir+json",
                **{k.replace("_", "-"): v for k, v in headers.items()}}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        return requests.request(method, f"{backend.base_url}/fhir/{path}", data=data,
                                headers=sent, timeout=TIMEOUT)

    return run


@pytest.fixture
def kari(sign_in: Callable[[str], TokenResponse]) -> str:
    return sign_in("kari").access_token


@pytest.fixture
def ola(sign_in: Callable[[str], TokenResponse]) -> str:
    return sign_in("ola").access_token


@pytest.fixture
def delivery(backend: DemoBackend) -> str:
    """A token of the kiosk's own delivery identity (client credentials)."""
    return delivery_token(backend)
