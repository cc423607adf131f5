"""Resources and tokens the demo service's tests build, shaped like the kiosk's own."""

from __future__ import annotations

from typing import Any

import requests

from kiosk.demo import DemoBackend

TIMEOUT = 5


def delivery_token(backend: DemoBackend) -> str:
    answer = requests.post(f"{backend.base_url}/oauth/token",
                           data={"grant_type": "client_credentials"},
                           auth=(backend.delivery_client_id, backend.delivery_secret),
                           timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def observation(patient: str = "kari", value: float = 72, *, ident: str = "urn:uuid:obs-1",
                when: str = "2026-12-01T10:00:00+01:00", code: str = "8867-4") -> dict[str, Any]:
    """A pulse measurement like the kiosk sends."""
    return {
        "resourceType": "Observation", "status": "final",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": ident}],
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "/min", "system": "http://unitsofmeasure.org",
                          "code": "/min"},
    }
