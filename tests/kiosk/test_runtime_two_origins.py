"""The kiosk's runtime, given only the FHIR base URL (and its delivery key), against a practice's
real topology: Medplum at /fhir/R4 naming oidc-provider as its issuer, each on its own origin,
the FHIR server taking only the provider's tokens for it. A citizen signs in on their phone, a
submission saved while the FHIR server was down is sent after they left, once, with the kiosk's
SMART Backend Services token."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import Settings
from kiosk.runtime import Runtime, build_runtime
from kiosk.services.fhir import NO_NATIONAL_ID
from kiosk.services.health import measurements
from kiosk.services.health.submission import IDENTIFIER_SYSTEM
from kiosk.services.id_token import SignInRefused
from kiosk.services.outbox_worker import Queued
from kiosk.services.signin import TokenResponse
from tests.servers.medplum import MedplumServer, start_medplum, stop_medplum
from tests.servers.oidc_provider import OidcServer, OidcServers
from tests.servers.two_origins import TwoOrigins

DELIVERED_WITHIN_S = 30.0


@pytest.fixture
def make_runtime(tmp_path: Path) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(**settings: Any) -> Runtime:
        runtime = build_runtime(Settings(state_dir=tmp_path / "state", speech=False,
                                         http_timeout_s=5, http_retries=0, **settings))
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()


@pytest.fixture
def fhir(two_origins: TwoOrigins) -> Iterator[MedplumServer]:
    yield two_origins.fhir
    two_origins.fhir.set_outage(False)


def production_settings(origins: TwoOrigins) -> dict[str, Any]:
    """What an operator writes in kiosk.toml: the FHIR base, and the delivery client's key."""
    oidc = origins.oidc
    return {"fhir_base_url": origins.fhir.fhir_base,
            "delivery_client_id": oidc.delivery_jwt_client_id,
            "delivery_key_file": oidc.delivery_key_file,
            "delivery_key_id": oidc.delivery_key_id}


def new_patient(origins: TwoOrigins, given: str, national_id: str = "") -> str:
    patient = origins.create({
        "resourceType": "Patient", "name": [{"family": "Topologi", "given": [given]}],
        **({"identifier": [{"system": NO_NATIONAL_ID, "value": national_id}]}
           if national_id else {}),
    })
    return str(patient["id"])


def sign_in(runtime: Runtime, oidc: OidcServer, login: str) -> TokenResponse:
    """The kiosk's sign-in, approved on the citizen's phone as ``login``."""
    flow = runtime.signin
    auth = flow.start()
    oidc.approve(auth.verification_uri_complete, login=login)
    result = flow.poll(auth)
    assert result.status == "approved" and result.token is not None
    return result.token


def test_only_the_fhir_base_is_configured_and_a_citizen_signs_in(
        two_origins: TwoOrigins, make_runtime: Callable[..., Runtime]) -> None:
    patient_id = new_patient(two_origins, "Kari")
    runtime = make_runtime(fhir_base_url=two_origins.fhir.fhir_base)
    found = runtime.discovery.service()
    assert (found.issuer, found.found_via) == (two_origins.oidc.base_url, "smart-configuration")
    token = sign_in(runtime, two_origins.oidc, patient_id)
    assert runtime.signin.whoami(token) == (patient_id, "Kari Topologi")


@pytest.fixture(scope="module")
def pid_origins(oidc_servers: OidcServers) -> Iterator[TwoOrigins]:
    """A provider that names the citizen only by a national ID claim (``pid``), as ID-porten
    does, and a FHIR server at yet another path that trusts it."""
    oidc = oidc_servers.get(identity="pid")
    fhir = start_medplum(issuer=oidc.base_url, base_path="/api/fhir")
    try:
        yield TwoOrigins(oidc, fhir)
    finally:
        stop_medplum(fhir.process)


def test_a_citizen_named_by_a_national_id_claim_is_found_on_the_fhir_server(
        pid_origins: TwoOrigins, make_runtime: Callable[..., Runtime]) -> None:
    patient_id = new_patient(pid_origins, "Nora", national_id="01017012345")
    runtime = make_runtime(fhir_base_url=pid_origins.fhir.fhir_base, national_id_claim="pid")
    token = sign_in(runtime, pid_origins.oidc, "01017012345")
    assert runtime.signin.whoami(token) == (patient_id, "Nora Topologi")


def test_a_sign_in_that_names_no_patient_is_refused_revoked_and_its_cause_logged(
        pid_origins: TwoOrigins, make_runtime: Callable[..., Runtime],
        caplog: pytest.LogCaptureFixture) -> None:
    runtime = make_runtime(fhir_base_url=pid_origins.fhir.fhir_base)  # no national_id_claim
    auth = runtime.signin.start()
    pid_origins.oidc.approve(auth.verification_uri_complete, login="31129956715")
    with caplog.at_level(logging.INFO), pytest.raises(SignInRefused) as refused:
        runtime.signin.poll(auth)
    assert refused.value.cause == "no-identity"
    assert refused.value.msgid.startswith("Sign-in did not work.")
    assert "sign-in refused: no-identity" in caplog.text
    assert "sign-out: token revoked" in caplog.text
    assert "31129956715" not in caplog.text


def test_a_submission_saved_while_the_server_was_down_is_sent_after_the_visit_once(
        two_origins: TwoOrigins, fhir: MedplumServer,
        make_runtime: Callable[..., Runtime]) -> None:
    oidc = two_origins.oidc
    patient_id = new_patient(two_origins, "Ola")
    runtime = make_runtime(**production_settings(two_origins))
    token = sign_in(runtime, oidc, patient_id)
    pulse = measurements.measurement(measurements.kinds()["pulse"], {"pulse": 64},
                                     patient_id, datetime.now().astimezone())
    sender = runtime.actions.context.sender
    assert sender is not None

    fhir.set_outage(True)
    assert isinstance(sender.submit(pulse, token.access_token), Queued)
    runtime.signin.sign_out(runtime.session)
    runtime.session.wipe()
    fhir.clear_seen_requests()
    fhir.set_outage(False)

    reader = two_origins.citizen_token(patient_id)
    query = f"Observation?identifier={IDENTIFIER_SYSTEM}|{pulse.key}"
    deadline = time.monotonic() + DELIVERED_WITHIN_S
    while not two_origins.read(query, reader).get("entry"):
        assert time.monotonic() < deadline, "the saved submission was not sent"
        time.sleep(0.5)
    time.sleep(2)  # a second delivery, were there one, would have come by now
    assert len(two_origins.read(query, reader)["entry"]) == 1
    posts = [r for r in fhir.seen_requests()
             if r["method"] == "POST" and r["path"].endswith("/Observation")]
    assert [(r["client_id"], r["status"]) for r in posts] == [
        (oidc.delivery_jwt_client_id, 201)]
    assert runtime.outbox.due(10) == []
