"""The demo backend's own rules, spoken to with plain requests like any FHIR client would."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import NO_NATIONAL_ID, DemoBackend
from kiosk.services.signin import TokenResponse

TIMEOUT = 5
OSLO = ZoneInfo("Europe/Oslo")
SignIn = Callable[[str], TokenResponse]


def fhir_request(backend: DemoBackend, method: str, path: str, token: str | None,
                 body: object = None, **headers: str) -> requests.Response:
    sent = {"Content-Type": "application/fhir+json", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    return requests.request(method, f"{backend.base_url}/fhir/{path}", data=data,
                            headers=sent, timeout=TIMEOUT)


def appointment_for(slot: dict, patient: str = "kari") -> dict:
    return {
        "resourceType": "Appointment", "status": "booked",
        "slot": [{"reference": f"Slot/{slot['id']}"}], "start": slot["start"],
        "end": slot["end"],
        "participant": [{"actor": {"reference": f"Patient/{patient}"}, "status": "accepted"}],
    }


def test_health(backend: DemoBackend) -> None:
    assert requests.get(f"{backend.base_url}/health", timeout=TIMEOUT).json() == {"status": "ok"}


def test_slots_are_weekdays_every_20_minutes_for_14_days(backend: DemoBackend,
                                                         clock: ManualClock) -> None:
    slots = backend.slots()
    starts = sorted(datetime.fromisoformat(s["start"]) for s in slots)
    today = clock.now().astimezone(OSLO).date()
    for slot, start in zip(sorted(slots, key=lambda s: s["start"]), starts, strict=True):
        local = start.astimezone(OSLO)
        assert start.utcoffset() == local.utcoffset()
        assert local.weekday() < 5
        assert time(8, 0) <= local.time() < time(15, 0)
        assert local.minute % 20 == 0
        assert datetime.fromisoformat(slot["end"]) - start == timedelta(minutes=20)
        assert today <= local.date() < today + timedelta(days=14)
        assert slot["resourceType"] == "Slot" and slot["meta"]["lastUpdated"]
    weekdays = sum(1 for d in range(14) if (today + timedelta(days=d)).weekday() < 5)
    assert len(slots) == weekdays * 21


def test_first_citizen_has_a_booked_appointment_on_a_busy_slot(backend: DemoBackend,
                                                               clock: ManualClock) -> None:
    (seeded,) = backend.appointments()
    assert seeded["status"] == "booked"
    assert seeded["participant"][0]["actor"]["reference"] == "Patient/kari"
    slot_id = seeded["slot"][0]["reference"].removeprefix("Slot/")
    (slot,) = [s for s in backend.slots() if s["id"] == slot_id]
    assert slot["status"] == "busy"
    assert datetime.fromisoformat(seeded["start"]) > clock.now()


def test_citizens_are_synthetic(backend: DemoBackend, sign_in: SignIn) -> None:
    token = sign_in("fatima").access_token
    patient = fhir_request(backend, "GET", "Patient/fatima", token).json()
    (identifier,) = patient["identifier"]
    assert identifier["system"] == NO_NATIONAL_ID
    assert int(identifier["value"][2:4]) > 80  # month + 80: a synthetic test number


def test_search_answers_a_searchset_bundle(backend: DemoBackend, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    bundle = fhir_request(backend, "GET", "Appointment?status=booked", token).json()
    assert (bundle["resourceType"], bundle["type"], bundle["total"]) == ("Bundle",
                                                                         "searchset", 1)
    assert bundle["entry"][0]["resource"]["resourceType"] == "Appointment"
    assert fhir_request(backend, "GET", "Appointment", sign_in("ola").access_token
                        ).json()["total"] == 0


def test_fhir_needs_a_bearer_token(backend: DemoBackend) -> None:
    answer = fhir_request(backend, "GET", "Slot", None)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_bad_json_is_400(backend: DemoBackend, sign_in: SignIn) -> None:
    answer = fhir_request(backend, "POST", "Appointment", sign_in("kari").access_token,
                          "{not json")
    assert answer.status_code == 400
    assert answer.json()["issue"][0]["code"] == "structure"


def test_wrong_content_type_is_415(backend: DemoBackend, sign_in: SignIn) -> None:
    answer = fhir_request(backend, "POST", "Appointment", sign_in("kari").access_token,
                          "status=booked", **{"Content-Type": "text/plain"})
    assert answer.status_code == 415


@pytest.mark.parametrize(("change", "status"), [
    ({"participant": []}, 422),
    ({"participant": [{"actor": {"reference": "Patient/ola"}, "status": "accepted"}]}, 403),
    ({"slot": [{"reference": "Slot/nope"}]}, 422),
    ({"status": "proposed"}, 422),
    ({"start": "2020-01-01T08:00:00+01:00"}, 422),
])
def test_appointment_create_is_validated(backend: DemoBackend, sign_in: SignIn,
                                         change: dict, status: int) -> None:
    free = next(s for s in backend.slots() if s["status"] == "free")
    body = {**appointment_for(free), **change}
    answer = fhir_request(backend, "POST", "Appointment", sign_in("kari").access_token, body)
    assert answer.status_code == status
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert len(backend.appointments()) == 1


def test_create_answers_201_with_location_and_version(backend: DemoBackend,
                                                      sign_in: SignIn) -> None:
    free = next(s for s in backend.slots() if s["status"] == "free")
    answer = fhir_request(backend, "POST", "Appointment", sign_in("kari").access_token,
                          appointment_for(free))
    assert answer.status_code == 201
    created = answer.json()
    assert answer.headers["Location"].endswith(f"/fhir/Appointment/{created['id']}/_history/1")
    assert answer.headers["ETag"] == 'W/"1"'
    # The server leaves the Slot alone, like a real FHIR server: the client must update it.
    assert next(s for s in backend.slots() if s["id"] == free["id"])["status"] == "free"
    second = fhir_request(backend, "POST", "Appointment", sign_in("ola").access_token,
                          appointment_for(free, "ola"))
    assert second.status_code == 409


def test_only_a_slot_status_can_change(backend: DemoBackend, sign_in: SignIn) -> None:
    free = next(s for s in backend.slots() if s["status"] == "free")
    moved = {**free, "start": "2030-01-01T08:00:00+01:00"}
    answer = fhir_request(backend, "PUT", f"Slot/{free['id']}", sign_in("kari").access_token,
                          moved)
    assert answer.status_code == 422


def test_someone_elses_appointment_is_forbidden(backend: DemoBackend, sign_in: SignIn) -> None:
    (seeded,) = backend.appointments()
    answer = fhir_request(backend, "GET", f"Appointment/{seeded['id']}",
                          sign_in("ola").access_token)
    assert answer.status_code == 403


def test_device_authorization_needs_a_client_id(backend: DemoBackend) -> None:
    answer = requests.post(f"{backend.base_url}/oauth/device_authorization", data={},
                           timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_seeded_codes_are_deterministic(make_backend: Callable[..., DemoBackend]) -> None:
    codes = []
    for _ in range(2):
        backend = make_backend(seed=42)
        answer = requests.post(f"{backend.base_url}/oauth/device_authorization",
                               data={"client_id": "k"}, timeout=TIMEOUT)
        codes.append(answer.json()["user_code"])
    assert codes[0] == codes[1]


def test_oversized_body_is_refused(backend: DemoBackend) -> None:
    answer = requests.post(f"{backend.base_url}/oauth/token", data="x" * 70_000,
                           timeout=TIMEOUT)
    assert answer.status_code == 413
