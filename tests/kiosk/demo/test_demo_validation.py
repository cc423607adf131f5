"""A resource a real R4 server would refuse is refused here too: 400 naming the element."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.demo import DemoBackend
from tests.kiosk.demo.builders import observation
from tests.kiosk.demo.conftest import Call

ME = {"reference": "Patient/kari"}
CONSENT = {
    "resourceType": "Consent", "status": "active", "patient": ME,
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                          "code": "research"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                               "code": "OPTIN"}]},
}


def without(resource: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k != name}


@pytest.mark.parametrize(("resource", "element", "code"), [
    (without(observation(), "status"), "Observation.status", "required"),
    (without(observation(), "code"), "Observation.code", "required"),
    ({**observation(), "component": [{"valueQuantity": {"value": 1}}]},
     "Observation.component[0].code", "required"),
    ({**observation(), "status": "done"}, "Observation.status", "code-invalid"),
    (without(CONSENT, "status"), "Consent.status", "required"),
    (without(CONSENT, "scope"), "Consent.scope", "required"),
    (without(CONSENT, "category"), "Consent.category", "required"),
    (without(CONSENT, "policyRule"), "Consent", "invariant"),
    ({"resourceType": "Communication", "subject": ME, "payload": [{"contentString": "Hi"}]},
     "Communication.status", "required"),
    ({"resourceType": "Communication", "status": "completed", "subject": ME,
      "payload": [{"contentAttachment": {}}]}, "Communication.payload[0].contentAttachment",
     "structure"),
    ({"resourceType": "Task", "status": "requested", "for": ME}, "Task.intent", "required"),
    ({"resourceType": "Task", "intent": "order", "for": ME}, "Task.status", "required"),
    ({"resourceType": "RelatedPerson", "active": True}, "RelatedPerson.patient", "required"),
    ({"resourceType": "QuestionnaireResponse", "subject": ME},
     "QuestionnaireResponse.status", "required"),
    ({"resourceType": "MedicationRequest", "status": "active", "intent": "order",
      "subject": ME}, "MedicationRequest.medication[x]", "required"),
    ({**observation(), "note": [{"text": ""}]}, "Observation.note[0].text", "structure"),
    ({**observation(), "meta": "v1"}, "Observation.meta", "structure"),
    ({"resourceType": "Pizza", "subject": ME}, "resourceType", "not-supported"),
    ({**observation(), "resourceType": "Consent"}, "resourceType", "invalid"),
])
def test_invalid_resources_are_refused(backend: DemoBackend, call: Call, kari: str,
                                       resource: dict[str, Any], element: str,
                                       code: str) -> None:
    kind = resource["resourceType"] if resource["resourceType"] != "Pizza" else "Observation"
    kind = "Observation" if element == "resourceType" else kind
    before = len(backend.resources(kind))
    answer = call("POST", kind, kari, resource)
    assert answer.status_code == 400, answer.text
    (issue,) = answer.json()["issue"]
    assert (issue["severity"], issue["code"]) == ("error", code)
    assert issue["expression"] == [element]
    assert element.split("[")[0].split(".")[-1] in issue["diagnostics"] or code == "invariant"
    assert len(backend.resources(kind)) == before


def test_the_consent_invariant_is_named_like_r4(call: Call, kari: str) -> None:
    answer = call("POST", "Consent", kari, without(CONSENT, "policyRule"))
    assert answer.json()["issue"][0]["diagnostics"] == (
        "Constraint ppc-1 not met: Either a Policy or PolicyRule")
    assert call("POST", "Consent", kari, CONSENT).status_code == 201


def test_an_update_is_validated_too(call: Call, kari: str) -> None:
    current = call("GET", "Consent/kari-research", kari).json()
    answer = call("PUT", "Consent/kari-research", kari, {**current, "status": "withdrawn"})
    assert answer.status_code == 400
    assert answer.json()["issue"][0]["expression"] == ["Consent.status"]


def test_a_valid_resource_of_every_submission_type_is_stored(call: Call, kari: str) -> None:
    stored = call("POST", "Observation", kari, observation()).json()
    assert stored["meta"]["versionId"] == "1" and stored["meta"]["lastUpdated"]
    assert stored["valueQuantity"]["code"] == "/min"
