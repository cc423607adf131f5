"""A citizen's token sees and writes only its own patient's data, and that of whom it acts for
in the service areas it may act in for them: a proxy in the areas the giver granted (never
with a confidential address), a parent in those the child's age leaves them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.demo import DemoBackend
from kiosk.demo.access import ACCESS_FILE, load_access
from kiosk.demo.datafile import DataFileError
from kiosk.demo.params import load_params
from kiosk.demo.store import Store
from kiosk.demo.validate import Validator, load_rules
from kiosk.policy.access import area_names
from kiosk.services.health.proxies import register_proxy
from tests.kiosk.demo.builders import observation
from tests.kiosk.demo.conftest import Call

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
                                  "Questionnaire/symptoms", "Schedule/gp-office"])
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


def parents(store: Store, patient_id: str) -> dict[str, frozenset[str]]:
    """A toy policy for the hook: the children whose RelatedPerson names this patient, in every
    area but vaccines."""
    me = store.get("Patient", patient_id) or {}
    return {r["patient"]["reference"].removeprefix("Patient/"):
            frozenset(area_names()) - {"vaccines"}
            for r in store.all("RelatedPerson") if r.get("identifier") == me.get("identifier")}


class TestActsFor:
    """The proxy/parent policy plugs in through ``acts_for``; here a toy one."""

    @pytest.fixture
    def backend(self, make_backend: Callable[..., DemoBackend]) -> DemoBackend:
        return make_backend(acts_for=parents)

    def test_a_parent_sees_a_child_s_data(self, call: Call, kari: str) -> None:
        assert call("GET", "Patient/emil", kari).status_code == 200
        assert call("GET", "Observation?subject=Patient/emil", kari).status_code == 200

    def test_but_only_in_the_areas_the_hook_gives(self, call: Call, kari: str) -> None:
        answer = call("GET", "Immunization/emil-mmr", kari)
        assert answer.status_code == 403
        assert answer.json()["issue"][0]["diagnostics"] == (
            "acting for this patient does not cover the area 'vaccines' (Immunization)")
        assert call("GET", "Immunization?patient=Patient/emil", kari).status_code == 403
        mine = call("GET", "Immunization", kari).json()["entry"]
        assert {e["resource"]["patient"]["reference"] for e in mine} == {"Patient/kari"}

    def test_but_not_another_child(self, call: Call, kari: str) -> None:
        assert call("GET", "Immunization/sara-dtap", kari).status_code == 403
        assert call("GET", "Immunization?patient=Patient/sara", kari).status_code == 403

    def test_a_parent_writes_for_a_child(self, call: Call, kari: str) -> None:
        assert call("POST", "Observation", kari, observation("emil")).status_code == 201
        assert call("POST", "Observation", kari, observation("sara")).status_code == 403


# ---- the Norwegian policy: proxies per area, parents by the child's age -----------------------

KARI_ID, OLA_ID = "15837110073", "02888510128"


class TestProxyAreas:
    """Kari gives Ola a proxy through her own token, as the kiosk does; Ola then uses it."""

    @pytest.fixture
    def backend(self, make_backend: Callable[..., DemoBackend]) -> DemoBackend:
        return make_backend(country="NO")

    @staticmethod
    def give(call: Call, kari: str, *areas: str, start: date = date(2026, 12, 1),
             end: date | None = None, national_id: str = OLA_ID) -> None:
        proxy = register_proxy("kari", "Ola Nordmann", start, end, areas=areas,
                               national_id=national_id).resource
        assert call("POST", "RelatedPerson", kari, proxy).status_code == 201

    def test_appointments_only(self, call: Call, kari: str, ola: str) -> None:
        self.give(call, kari, "appointments")
        assert call("GET", "Patient/kari", ola).status_code == 200
        found = call("GET", "Appointment?patient=Patient/kari", ola).json()
        assert found["total"] >= 1
        assert call("GET", "Slot?status=free&_count=1", ola).status_code == 200
        for query in ("MedicationStatement?subject=Patient/kari",
                      "Communication?subject=Patient/kari", "Immunization?patient=Patient/kari",
                      "MedicationStatement/kari-atorvastatin"):
            answer = call("GET", query, ola)
            assert answer.status_code == 403, query
            outcome = answer.json()
            assert outcome["resourceType"] == "OperationOutcome"
            assert outcome["issue"][0]["code"] == "forbidden"
            assert "does not cover the area" in outcome["issue"][0]["diagnostics"]
        # Searching without naming Kari finds only Ola's own.
        mine = call("GET", "MedicationStatement", ola).json()["entry"]
        assert {e["resource"]["subject"]["reference"] for e in mine} == {"Patient/ola"}

    def test_the_proxy_changes_an_appointment_for_the_giver(self, call: Call, kari: str,
                                                            ola: str) -> None:
        self.give(call, kari, "appointments")
        booked = call("GET", "Appointment?patient=Patient/kari&status=booked", ola).json()
        appointment = booked["entry"][0]["resource"]
        cancelled = {**appointment, "status": "cancelled"}
        assert call("PUT", f"Appointment/{appointment['id']}", ola, cancelled).status_code == 200

    def test_a_write_outside_the_areas_is_refused(self, backend: DemoBackend, call: Call,
                                                  kari: str, ola: str) -> None:
        self.give(call, kari, "appointments", "records")
        before = len(backend.resources("Observation"))
        answer = call("POST", "Observation", ola, observation("kari"))
        assert answer.status_code == 403
        assert "'measurements'" in answer.json()["issue"][0]["diagnostics"]
        assert len(backend.resources("Observation")) == before

    def test_records_cover_vaccines_and_contacts(self, call: Call, kari: str, ola: str) -> None:
        self.give(call, kari, "records")
        assert call("GET", "Immunization?patient=Patient/kari", ola).status_code == 200
        assert call("GET", "CareTeam?patient=Patient/kari", ola).status_code == 200
        assert call("GET", "Appointment?patient=Patient/kari", ola).status_code == 403

    def test_all_covers_every_area_but_not_who_the_proxies_are(
        self, call: Call, kari: str, ola: str
    ) -> None:
        self.give(call, kari, "all")
        for query in ("MedicationStatement?subject=Patient/kari",
                      "Consent?patient=Patient/kari", "Observation?subject=Patient/kari"):
            assert call("GET", query, ola).status_code == 200, query
        assert call("POST", "Observation", ola, observation("kari")).status_code == 201
        answer = call("GET", "RelatedPerson?patient=Patient/kari", ola)
        assert answer.status_code == 403
        assert answer.json()["issue"][0]["diagnostics"] == (
            "only the patient themselves may use their RelatedPerson")

    @pytest.mark.parametrize(
        ("areas", "changes"),
        [pytest.param((), {}, id="no-area-recorded"),
         pytest.param(("vaccines",), {}, id="not-a-proxy-choice"),
         pytest.param(("all",), {"end": date(2026, 11, 30)}, id="ended"),
         pytest.param(("all",), {"start": date(2026, 12, 2)}, id="not-yet-started"),
         pytest.param(("all",), {"national_id": KARI_ID}, id="names-someone-else")],
    )
    def test_a_proxy_that_does_not_hold_gives_nothing(
        self, backend: DemoBackend, call: Call, kari: str, ola: str, areas: tuple[str, ...],
        changes: dict[str, Any],
    ) -> None:
        values: dict[str, Any] = {"start": date(2026, 11, 1), "end": None,
                                  "national_id": OLA_ID, **changes}
        proxy = register_proxy("kari", "Ola Nordmann", values["start"], values["end"],
                               areas=areas or ("all",),
                               national_id=values["national_id"]).resource
        if not areas:
            proxy = {k: v for k, v in proxy.items() if k != "extension"}
        if areas == ("vaccines",):
            proxy["extension"][0]["valueCode"] = "vaccines"
        backend.put(proxy)
        assert call("GET", "Patient/kari", ola).status_code == 403
        assert call("GET", "Appointment?patient=Patient/kari", ola).status_code == 403

    @pytest.mark.parametrize("who", ["kari", "ola"])
    def test_no_proxy_with_a_confidential_address(
        self, backend: DemoBackend, call: Call, kari: str, ola: str, who: str
    ) -> None:
        self.give(call, kari, "all")
        assert call("GET", "Patient/kari", ola).status_code == 200
        patient = backend.resources("Patient")
        [person] = [p for p in patient if p["id"] == who]
        person["meta"] = {"security": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}]}
        backend.put(person)
        assert call("GET", "Patient/kari", ola).status_code == 403

    def test_the_day_after_its_last_day_a_proxy_is_gone(
        self, call: Call, kari: str, ola: str, sign_in: Callable[[str], Any], clock: Any,
    ) -> None:
        self.give(call, kari, "appointments", end=date(2026, 12, 2))
        assert call("GET", "Patient/kari", ola).status_code == 200
        clock.advance(timedelta(days=1).total_seconds())
        ola = sign_in("ola").access_token  # the first token has expired meanwhile
        assert call("GET", "Patient/kari", ola).status_code == 200
        clock.advance(timedelta(days=1).total_seconds())
        ola = sign_in("ola").access_token
        assert call("GET", "Patient/kari", ola).status_code == 403

    def test_a_parent_of_a_child_of_13_acts_only_in_some_areas(self, call: Call,
                                                               kari: str) -> None:
        # Emil (born 2013-09-04) is 13: appointments, vaccines and contacts, not messages.
        assert call("GET", "Immunization?patient=Patient/emil", kari).status_code == 200
        assert call("GET", "Appointment?patient=Patient/emil", kari).status_code == 200
        answer = call("POST", "Observation", kari, observation("emil"))
        assert answer.status_code == 403
        assert "'measurements'" in answer.json()["issue"][0]["diagnostics"]
        assert call("GET", "Communication?subject=Patient/emil", kari).status_code == 403

    def test_the_seed_has_a_citizen_with_a_confidential_address(
        self, backend: DemoBackend
    ) -> None:
        [fatima] = [p for p in backend.resources("Patient") if p["id"] == "fatima"]
        assert {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                "code": "R", "display": "restricted"} in fatima["meta"]["security"]


def test_every_patient_data_type_has_one_area_of_the_policy() -> None:
    validator = Validator(load_rules())
    rules = load_access(load_params(), validator.types)
    assert set(rules.areas) == set(rules.compartment)
    assert set(rules.areas.values()) <= {*area_names(), "any", "own"}
    assert rules.areas["Patient"] == "any" and rules.areas["RelatedPerson"] == "own"


@pytest.mark.parametrize(
    ("change", "says"),
    [(lambda d: d["areas"].pop("Consent"), "no area for Consent"),
     (lambda d: d["areas"].update(Consent="consents"), "'consents' is not an area"),
     (lambda d: d["areas"].update(Slot="appointments"), "'Slot' is not in patient_compartment"),
     (lambda d: d.update(areas=["Patient"]), "must map patient compartment types")],
)
def test_a_wrong_areas_section_is_named(tmp_path: Path, change: Callable[[dict], Any],
                                        says: str) -> None:
    data = yaml.safe_load(ACCESS_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    validator = Validator(load_rules())
    with pytest.raises(DataFileError, match=says):
        load_access(load_params(), validator.types, path)
