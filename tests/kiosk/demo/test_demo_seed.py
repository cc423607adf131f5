"""The fictional world: every practice citizen has something to see in every task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import NO_NATIONAL_ID, DemoBackend
from kiosk.services.signin import TokenResponse
from tests.kiosk.demo.conftest import Call

CITIZENS = ["kari", "ola", "fatima"]


def bundle(call: Call, token: str, query: str) -> list[dict]:
    answer = call("GET", query, token)
    assert answer.status_code == 200, answer.text
    return [e["resource"] for e in answer.json()["entry"]]


def checksum_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    weights = ([3, 7, 6, 1, 8, 9, 4, 5, 2], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    for n, w in enumerate(weights):
        rest = sum(a * b for a, b in zip(w, digits[: 9 + n], strict=True)) % 11
        if (11 - rest) % 11 != digits[9 + n]:
            return False
    return True


def test_every_patient_has_a_synthetic_national_id(backend: DemoBackend) -> None:
    patients = backend.resources("Patient")
    assert {p["id"] for p in patients} >= {*CITIZENS, "emil", "sara"}
    for patient in patients:
        (identifier,) = patient["identifier"]
        number = identifier["value"]
        assert identifier["system"] == NO_NATIONAL_ID
        assert int(number[2:4]) > 80 and checksum_ok(number)
        born = date.fromisoformat(patient["birthDate"])
        assert (born.day, born.month, born.year % 100) == (
            int(number[:2]), int(number[2:4]) - 80, int(number[4:6]))


def test_only_adults_are_offered_on_the_phone(backend: DemoBackend) -> None:
    assert backend.citizens == [("kari", "Kari Nordmann"), ("ola", "Ola Nordmann"),
                                ("fatima", "Fatima Ali")]


@pytest.mark.parametrize("who", CITIZENS)
def test_each_citizen_has_something_in_every_task(sign_in: Callable[[str], TokenResponse],
                                                  call: Call, who: str) -> None:
    token = sign_in(who).access_token
    me = f"Patient/{who}"
    statements = bundle(call, token, f"MedicationStatement?subject={me}")
    requests_ = bundle(call, token, f"MedicationRequest?subject={me}&status=active")
    assert statements and requests_
    for item in statements + requests_:
        medication = call("GET", item["medicationReference"]["reference"], token)
        assert medication.status_code == 200
    assert len(bundle(call, token, f"Consent?patient={me}")) >= 2
    assert bundle(call, token, f"Immunization?patient={me}&status=completed")
    (recommendation,) = bundle(call, token, f"ImmunizationRecommendation?patient={me}")
    assert recommendation["recommendation"][0]["dateCriterion"][0]["value"]
    (team,) = bundle(call, token, f"CareTeam?subject={me}&status=active")
    members = [p["member"]["reference"] for p in team["participant"]]
    assert "Practitioner/gp" in members
    for member in members:
        assert call("GET", member, token).status_code == 200
    thread = [c for c in bundle(call, token, f"Communication?subject={me}&_sort=sent")
              if "category" not in c]
    question, answer = thread
    assert question["sender"]["reference"] == me
    assert answer["inResponseTo"] == [{"reference": f"Communication/{question['id']}"}]
    assert answer["sender"]["reference"].startswith("Practitioner/")
    assert bundle(call, token, f"Observation?subject={me}")


def test_dates_follow_the_day_the_service_starts(
        make_backend: Callable[..., DemoBackend]) -> None:
    backend = make_backend(clock=ManualClock(datetime(2030, 6, 3, 9, 0, tzinfo=UTC)))
    (answer,) = [c for c in backend.resources("Communication") if c["id"] == "kari-answer"]
    assert answer["sent"] == "2030-05-31T09:05:00+02:00"
    (rx,) = [r for r in backend.resources("MedicationRequest")
             if r["id"] == "kari-atorvastatin-rx"]
    assert rx["dispenseRequest"]["validityPeriod"]["end"] == "2030-06-08"
