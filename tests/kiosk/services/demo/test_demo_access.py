"""A citizen's token sees and writes only its own patient's data (and whom it acts for)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from kiosk.services.demo import DemoBackend
from kiosk.services.demo.store import Store
from tests.kiosk.services.demo.builders import observation
from tests.kiosk.services.demo.conftest import Call

PATIENT_DATA = ["MedicationStatement", "MedicationRequest", "Consent", "Immunization",
                "ImmunizationRecommendation", "CareTeam", "Communication", "Observation"]


@pytest.mark.parametrize("kind", PATIENT_DATA)
def test_a_search_finds_only_my_own(backend: DemoBackend, call: Call, kari: str,
                                    kind: str) -> None:
    bundle = call("GET", kind, kari).json()
    assert bundle["total"] > 0
    for entry in bundle["entry"]:
        assert "Patient/kari" in str(entry["resource"])
        assert "Patient/ola" not in str(entry["resource"])
    assert any("Patient/ola" in str(r) for r in backend.resources(kind))


@pytest.mark.parametrize("query", ["MedicationStatement?subject=Patient/ola",
                                   "Consent?patient=ola",
                                   "Observation?subject:Patient=ola",
                                   "Observation?subject=Patient/kari,Patient/ola",
                                   "Communication?recipient=Patient/ola"])
def test_asking_about_someone_else_is_forbidden(call: Call, kari: str, query: str) -> None:
    answer = call("GET", query, kari)
    assert answer.status_code == 403
    assert answer.json()["issue"][0]["code"] == "forbidden"


def test_reading_someone_elses_resource_is_forbidden(call: Call, kari: str) -> None:
    assert call("GET", "MedicationStatement/ola-salbutamol", kari).status_code == 403
    assert call("GET", "Patient/ola", kari).status_code == 403
    assert call("GET", "MedicationStatement/kari-atorvastatin", kari).status_code == 200


def test_writing_for_someone_else_is_forbidden(backend: DemoBackend, call: Call,
                                               kari: str) -> None:
    before = len(backend.resources("Observation"))
    assert call("POST", "Observation", kari, observation("ola")).status_code == 403
    mine = call("GET", "Consent/kari-research", kari).json()
    moved = {**mine, "patient": {"reference": "Patient/ola"}}
    assert call("PUT", "Consent/kari-research", kari, moved).status_code == 403
    assert call("PUT", "Consent/ola-sharing", kari,
                {**mine, "id": "ola-sharing"}).status_code == 403
    assert len(backend.resources("Observation")) == before


@pytest.mark.parametrize("path", ["Practitioner/gp", "Organization/demo-gp-office",
                                  "PractitionerRole/gp-role", "Medication/metformin",
                                  "Questionnaire/symptom-check", "Schedule/gp-office"])
def test_shared_resources_are_readable_not_writable(call: Call, kari: str, path: str) -> None:
    current = call("GET", path, kari)
    assert current.status_code == 200
    assert call("PUT", path, kari, current.json()).status_code == 403
    kind = path.split("/")[0]
    assert call("POST", kind, kari, {k: v for k, v in current.json().items()
                                     if k != "id"}).status_code == 403


def test_the_operator_can_add_shared_data(backend: DemoBackend, call: Call, kari: str) -> None:
    stored = backend.put({"resourceType": "Practitioner", "name": [{"family": "Nyberg"}]})
    assert call("GET", f"Practitioner/{stored['id']}", kari).json()["name"] == [
        {"family": "Nyberg"}]


def parents(store: Store, patient_id: str) -> Iterable[str]:
    """A toy policy for the hook: the children whose RelatedPerson names this patient."""
    me = store.get("Patient", patient_id) or {}
    return [r["patient"]["reference"].removeprefix("Patient/")
            for r in store.all("RelatedPerson") if r.get("identifier") == me.get("identifier")]


class TestActsFor:
    """The proxy/parent policy plugs in through ``acts_for``; here a toy one."""

    @pytest.fixture
    def backend(self, make_backend: Callable[..., DemoBackend]) -> DemoBackend:
        return make_backend(acts_for=parents)

    def test_a_parent_sees_a_child_s_data(self, call: Call, kari: str) -> None:
        assert call("GET", "Immunization/emil-mmr", kari).status_code == 200
        assert call("GET", "Immunization?patient=Patient/emil", kari).json()["total"] == 1
        assert call("GET", "Patient/emil", kari).status_code == 200

    def test_but_not_another_child(self, call: Call, kari: str) -> None:
        assert call("GET", "Immunization/sara-dtap", kari).status_code == 403
        assert call("GET", "Immunization?patient=Patient/sara", kari).status_code == 403

    def test_a_parent_writes_for_a_child(self, call: Call, kari: str) -> None:
        assert call("POST", "Observation", kari, observation("emil")).status_code == 201
        assert call("POST", "Observation", kari, observation("sara")).status_code == 403
