"""An open renewal request is recognised by its coded Task.code, the way a GP office's system
stores it, never by its display text (against the practice service on loopback)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.health.medicines import (
    DEFAULT_RENEWAL_CODE,
    RENEWAL_CODE_TEXT,
    RenewalCode,
    medicines,
)
from kiosk.services.http import HttpClient
from kiosk.services.signin import TokenResponse

RX = "MedicationRequest/kari-levothyroxine-rx"
OFFICE_CODE = RenewalCode("urn:oid:2.16.578.1.12.4.1.1.9999", "fornying")


def open_task(backend: DemoBackend, code: dict[str, Any]) -> None:
    backend.put({"resourceType": "Task", "status": "requested", "intent": "order",
                 "code": code, "focus": {"reference": RX},
                 "for": {"reference": "Patient/kari"}})


def asked(http: HttpClient, token: str, code: RenewalCode = DEFAULT_RENEWAL_CODE) -> bool:
    found = medicines(FhirClient(http), token, "kari", code)
    return next(m for m in found if m.reference == RX).renewal_requested


@pytest.fixture
def token(sign_in: Callable[[str], TokenResponse]) -> str:
    return sign_in("kari").access_token


def test_the_text_alone_does_not_make_a_renewal(backend: DemoBackend, http: HttpClient,
                                               token: str) -> None:
    open_task(backend, {"text": RENEWAL_CODE_TEXT})
    assert not asked(http, token)


def test_the_code_makes_a_renewal_whatever_its_text(backend: DemoBackend, http: HttpClient,
                                                   token: str) -> None:
    open_task(backend, {"coding": [{"system": DEFAULT_RENEWAL_CODE.system,
                                    "code": DEFAULT_RENEWAL_CODE.code}],
                        "text": "Fornye resept"})
    assert asked(http, token)


def test_a_gp_office_with_its_own_code_is_understood(backend: DemoBackend, http: HttpClient,
                                                    token: str) -> None:
    open_task(backend, OFFICE_CODE.concept())
    assert not asked(http, token)
    assert asked(http, token, OFFICE_CODE)


def test_a_renewal_code_is_system_and_code() -> None:
    assert RenewalCode.parse(" urn:x | y ") == RenewalCode("urn:x", "y")
    assert DEFAULT_RENEWAL_CODE.query == "urn:helselos:task-code|medication-renewal"
    for bad in ("no-bar", "|code", "system|"):
        with pytest.raises(ValueError, match="system\\|code"):
            RenewalCode.parse(bad)
