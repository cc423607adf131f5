"""Conditional create (If-None-Exist) on every submission type: a retry never stores twice."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.demo import DemoBackend
from tests.kiosk.demo.builders import observation
from tests.kiosk.demo.conftest import Call

SYSTEM = "urn:ietf:rfc:3986"


def ident(value: str) -> list[dict[str, str]]:
    return [{"system": SYSTEM, "value": value}]


ME = {"reference": "Patient/kari"}
SUBMISSIONS: dict[str, dict[str, Any]] = {
    "Observation": observation(ident="urn:uuid:c-obs"),
    "Communication": {"status": "completed", "subject": ME, "sender": ME,
                      "identifier": ident("urn:uuid:c-com"),
                      "payload": [{"contentString": "Can I have a call back?"}]},
    "Task": {"status": "requested", "intent": "order", "for": ME, "requester": ME,
             "identifier": ident("urn:uuid:c-task"), "code": {"text": "Renew medication"}},
    "Consent": {"status": "active", "patient": ME, "identifier": ident("urn:uuid:c-con"),
                "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                      "consentscope", "code": "research"}]},
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                           "v3-ActCode", "code": "OPTIN"}]}},
    "RelatedPerson": {"active": True, "patient": ME, "identifier": ident("urn:uuid:c-rp"),
                      "name": [{"text": "Ola Nordmann"}]},
    # QuestionnaireResponse.identifier is a single Identifier in R4, not a list.
    "QuestionnaireResponse": {"status": "completed", "subject": ME,
                              "identifier": {"system": SYSTEM, "value": "urn:uuid:c-qr"},
                              "item": [{"linkId": "fever", "answer": [{"valueBoolean": False}]}]},
}


def condition(resource: dict[str, Any]) -> str:
    found = resource["identifier"]
    found = found[0] if isinstance(found, list) else found
    return f"identifier={found['system']}|{found['value']}"


@pytest.mark.parametrize("kind", sorted(SUBMISSIONS))
def test_a_repeated_create_returns_the_first(backend: DemoBackend, call: Call, kari: str,
                                             kind: str) -> None:
    body = {"resourceType": kind, **SUBMISSIONS[kind]}
    first = call("POST", kind, kari, body, If_None_Exist=condition(body))
    assert first.status_code == 201, first.text
    second = call("POST", kind, kari, body, If_None_Exist=condition(body))
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    stored = [r for r in backend.resources(kind) if r.get("identifier") == body["identifier"]]
    assert [r["id"] for r in stored] == [first.json()["id"]]


def test_the_condition_may_arrive_url_encoded(backend: DemoBackend, call: Call,
                                              kari: str) -> None:
    body = observation(ident="urn:uuid:enc")
    first = call("POST", "Observation", kari, body,
                 If_None_Exist="identifier=urn%3Aietf%3Arfc%3A3986%7Curn%3Auuid%3Aenc")
    again = call("POST", "Observation", kari, body,
                 If_None_Exist=f"identifier={SYSTEM}|urn:uuid:enc")
    assert (first.status_code, again.status_code) == (201, 200)


def test_two_matches_are_a_failed_precondition(call: Call, kari: str) -> None:
    body = observation(ident="urn:uuid:twice")
    for _ in range(2):  # without a condition the server stores both, as FHIR says
        assert call("POST", "Observation", kari, body).status_code == 201
    answer = call("POST", "Observation", kari, body,
                  If_None_Exist=f"identifier={SYSTEM}|urn:uuid:twice")
    assert answer.status_code == 412
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_a_citizen_does_not_match_someone_elses_resource(backend: DemoBackend, call: Call,
                                                         kari: str, ola: str) -> None:
    mine = call("POST", "Observation", kari, observation(ident="urn:uuid:same"))
    theirs = call("POST", "Observation", ola, observation("ola", ident="urn:uuid:same"),
                  If_None_Exist=f"identifier={SYSTEM}|urn:uuid:same")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["subject"] == {"reference": "Patient/ola"}


def test_a_client_id_in_a_create_is_ignored(call: Call, kari: str) -> None:
    answer = call("POST", "Observation", kari, {**observation(), "id": "chosen-by-client"})
    assert answer.status_code == 201
    assert answer.json()["id"] != "chosen-by-client"


def test_a_condition_that_is_not_a_search_is_refused(call: Call, kari: str) -> None:
    answer = call("POST", "Observation", kari, observation(), If_None_Exist="colour=red")
    assert answer.status_code == 400
    assert "colour" in answer.json()["issue"][0]["diagnostics"]
