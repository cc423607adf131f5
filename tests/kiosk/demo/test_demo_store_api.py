"""Read and update with versions on every type, capabilities, and the public address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from kiosk.cli import build_parser
from kiosk.demo import DemoBackend
from tests.kiosk.demo.builders import TIMEOUT, observation
from tests.kiosk.demo.conftest import Call


def test_withdrawing_a_consent_is_an_update_with_if_match(call: Call, kari: str) -> None:
    current = call("GET", "Consent/kari-research", kari)
    assert current.headers["ETag"] == 'W/"1"'
    withdrawn = {**current.json(), "status": "inactive"}
    answer = call("PUT", "Consent/kari-research", kari, withdrawn, If_Match='W/"1"')
    assert answer.status_code == 200
    assert answer.json()["meta"]["versionId"] == "2" and answer.headers["ETag"] == 'W/"2"'
    stale = call("PUT", "Consent/kari-research", kari, withdrawn, If_Match='W/"1"')
    assert stale.status_code == 412
    assert call("GET", "Consent?patient=Patient/kari&status=inactive",
                kari).json()["total"] == 1


@pytest.mark.parametrize(("path", "body_id", "status"), [
    ("Consent/nope", "nope", 404),
    ("Consent/kari-sharing", "kari-research", 400),
])
def test_an_update_names_what_exists(call: Call, kari: str, path: str, body_id: str,
                                     status: int) -> None:
    body = {**call("GET", "Consent/kari-sharing", kari).json(), "id": body_id}
    assert call("PUT", path, kari, body).status_code == status


def test_a_created_resource_reads_back_with_its_version(call: Call, kari: str) -> None:
    created = call("POST", "Observation", kari, observation())
    location = created.headers["Location"]
    rid = created.json()["id"]
    assert location.endswith(f"/fhir/Observation/{rid}/_history/1")
    again = call("GET", f"Observation/{rid}", kari)
    assert again.json() == created.json() and again.headers["ETag"] == 'W/"1"'


def test_unsupported_interactions(call: Call, kari: str) -> None:
    assert call("DELETE", "Observation/x", kari).status_code == 405
    assert call("GET", "Encounter", kari).status_code == 404
    assert call("GET", "Observation/x/_history/1", kari).status_code == 404


def test_capability_statement_needs_no_token(call: Call, backend: DemoBackend) -> None:
    answer = call("GET", "metadata", None)
    assert answer.status_code == 200
    statement = answer.json()
    assert (statement["resourceType"], statement["fhirVersion"]) == ("CapabilityStatement",
                                                                     "4.0.1")
    (rest,) = statement["rest"]
    kinds = {r["type"]: r for r in rest["resource"]}
    assert {"Observation", "Consent", "CareTeam", "ImmunizationRecommendation"} <= set(kinds)
    assert {"name": "code", "type": "token"} in kinds["Observation"]["searchParam"]


def test_public_url_is_what_phones_are_sent_to(
        make_backend: Callable[..., DemoBackend]) -> None:
    backend = make_backend(public_url="http://kiosk-demo.local:8080/")
    assert backend.base_url == "http://kiosk-demo.local:8080"
    port = backend._http._server.server_address[1]  # type: ignore[union-attr]
    answer = requests.post(f"http://127.0.0.1:{port}/oauth/device_authorization",
                           data={"client_id": "k"}, timeout=TIMEOUT).json()
    assert answer["verification_uri"] == "http://kiosk-demo.local:8080/device"


def test_the_cli_passes_the_public_url_on() -> None:
    args = build_parser().parse_args(["demo-backend", "--public-url", "http://10.0.0.5:8765"])
    assert args.public_url == "http://10.0.0.5:8765"
    assert build_parser().parse_args(["demo-backend"]).public_url is None
