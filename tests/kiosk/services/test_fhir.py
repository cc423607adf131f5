"""FhirClient against the demo backend: paging, access rules, versions and validation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.demo import DemoBackend
from kiosk.services.fhir import NO_NATIONAL_ID, FhirClient, check_id, reference_id
from kiosk.services.http import BadResponse, HttpClient, ServiceRejected
from kiosk.services.signin import TokenResponse

SignIn = Callable[[str], TokenResponse]


@pytest.fixture
def fhir(http: HttpClient) -> FhirClient:
    return FhirClient(http)


def test_search_follows_next_links_across_pages(backend: DemoBackend, fhir: FhirClient,
                                                sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    free = [s for s in backend.slots() if s["status"] == "free"]
    found = fhir.search("Slot", {"status": "free", "_count": 15}, token)
    assert len(free) > 15 * 3
    assert sorted(s["id"] for s in found) == sorted(s["id"] for s in free)


def test_search_stops_after_max_pages(http: HttpClient, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    found = FhirClient(http, max_pages=2).search("Slot", {"status": "free", "_count": 7}, token)
    assert len(found) == 14


def test_read_own_patient_with_national_id(fhir: FhirClient, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    patient = fhir.read("Patient", "kari", token)
    assert patient["identifier"][0]["system"] == NO_NATIONAL_ID
    assert patient["meta"]["versionId"] == "1"


def test_reading_someone_else_is_forbidden(fhir: FhirClient, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    with pytest.raises(ServiceRejected) as caught:
        fhir.read("Patient", "ola", token)
    assert caught.value.status == 403
    with pytest.raises(ServiceRejected) as caught:
        fhir.search("Appointment", {"patient": "Patient/ola"}, token)
    assert caught.value.status == 403


def test_unknown_resource_is_404(fhir: FhirClient, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    with pytest.raises(ServiceRejected) as caught:
        fhir.read("Slot", "no-such-slot", token)
    assert caught.value.status == 404
    assert "does not exist" in caught.value.detail


def test_stale_update_is_refused_with_412(fhir: FhirClient, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    slot = fhir.search("Slot", {"status": "free", "_count": 1}, token)[0]
    first = fhir.update("Slot", slot["id"], {**slot, "status": "busy"}, token)
    assert first["meta"]["versionId"] == str(int(slot["meta"]["versionId"]) + 1)
    with pytest.raises(ServiceRejected) as caught:
        fhir.update("Slot", slot["id"], {**slot, "status": "free"}, token)
    assert caught.value.status == 412
    assert fhir.read("Slot", slot["id"], token)["status"] == "busy"


def test_create_on_a_busy_slot_is_a_conflict(backend: DemoBackend, fhir: FhirClient,
                                             sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    busy = next(s for s in backend.slots() if s["status"] == "busy")
    appointment = {
        "status": "booked", "slot": [{"reference": f"Slot/{busy['id']}"}],
        "start": busy["start"], "end": busy["end"],
        "participant": [{"actor": {"reference": "Patient/kari"}, "status": "accepted"}],
    }
    with pytest.raises(ServiceRejected) as caught:
        fhir.create("Appointment", appointment, token)
    assert caught.value.status == 409


def test_ids_that_would_change_the_path_are_refused(fhir: FhirClient) -> None:
    with pytest.raises(ValueError):
        fhir.read("Patient", "../oauth/token", "t")
    assert check_id("slot-20261201-0800") == "slot-20261201-0800"


def test_reference_id_checks_the_type() -> None:
    assert reference_id("Slot/abc", "Slot") == "abc"
    assert reference_id("http://x/fhir/Slot/abc", "Slot") == "abc"
    with pytest.raises(BadResponse):
        reference_id("Patient/abc", "Slot")


class _MatchedServer(BaseHTTPRequestHandler):
    """Answers every POST the way some FHIR servers answer a conditional create that matched:
    200 with the body the test chose (empty, or an OperationOutcome)."""

    answer = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.mark.parametrize(("answer", "matched"), [
    (b"", True),
    (b'{"resourceType":"OperationOutcome","issue":[{"severity":"information",'
     b'"code":"informational"}]}', True),
    (b'{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid"}]}',
     False),
])
def test_a_matched_conditional_create_without_the_resource_is_done(
    answer: bytes, matched: bool
) -> None:
    handler = type("Handler", (_MatchedServer,), {"answer": answer})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fhir = FhirClient(HttpClient(f"http://127.0.0.1:{server.server_address[1]}", retries=0))
        observation = {"status": "final", "code": {"text": "pulse"}}
        if matched:
            assert fhir.create("Observation", observation, "t", if_none_exist="identifier=x|1") \
                == {}
        else:
            with pytest.raises(BadResponse):
                fhir.create("Observation", observation, "t", if_none_exist="identifier=x|1")
        with pytest.raises(BadResponse):
            fhir.create("Observation", observation, "t")
    finally:
        server.shutdown()
        server.server_close()
