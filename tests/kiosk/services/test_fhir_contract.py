"""One client contract, three servers: every health task's FHIR interactions, run unchanged
against a real FHIR R4 server (Medplum's router, tests/servers/fhir), against the same server in
a practice's topology (at /fhir/R4, taking only oidc-provider's tokens, the citizen signed in by
the kiosk's own device sign-in on another origin), and against the bundled demo service, so the
demo cannot drift from real FHIR behaviour.

Each test creates what it reads back, under fresh identifiers. Tests of one backend share one
patient, so searches by patient check "contains", never "equals".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.appointments import MODES, PARTICIPATION_MODE, AppointmentService, mode_of
from kiosk.services.fhir import NO_NATIONAL_ID, FhirClient, ResourceInvalid
from kiosk.services.health import (
    alerts,
    consent,
    contacts,
    measurements,
    medicines,
    messages,
    proxies,
    questionnaire,
    submission,
    vaccines,
)
from kiosk.services.health.submission import IDENTIFIER_SYSTEM, Submission, deliver
from kiosk.services.http import HttpClient, ServiceRejected
from kiosk.services.tasks.symptoms import QUESTIONNAIRE, symptom_questionnaire
from tests.servers.medplum import MedplumServer
from tests.servers.two_origins import TwoOrigins
from tests.signin_kit import close_sign_in, device_sign_in

TIMEOUT_S = 10
OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=OSLO)
SHARED_TYPES = frozenset({"Practitioner", "PractitionerRole", "Organization", "Schedule",
                          "Slot"})
"""Types a citizen may read but not write on the demo: tests seed them through the backend."""


@dataclass
class Target:
    """One backend under test, with a signed-in patient."""

    name: str
    """"medplum", "medplum-two-origins" or "demo"."""
    fhir: FhirClient
    token: str
    patient_id: str
    seed_shared: Callable[[dict[str, Any]], dict[str, Any]]

    def seed(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Put test data on the server: the patient's own through the client, shared data
        (practitioners, offices) as the backend's operator would."""
        if resource["resourceType"] in SHARED_TYPES:
            return self.seed_shared(resource)
        return self.fhir.create(resource["resourceType"], resource, self.token)

    def send(self, sub: Submission) -> dict[str, Any]:
        return deliver(self.fhir, sub, self.token)

    def by_identifier(self, sub: Submission) -> list[dict[str, Any]]:
        query = {"identifier": f"{IDENTIFIER_SYSTEM}|{sub.key}"}
        return self.fhir.search(sub.resource_type, query, self.token)

    @property
    def me(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.patient_id}"}

    @property
    def medplum(self) -> bool:
        return self.name.startswith("medplum")


def _medplum(server: MedplumServer) -> Iterator[Target]:
    http = HttpClient(server.fhir_base, timeout_s=TIMEOUT_S, retries=0)
    fhir = FhirClient(http)
    token = "contract-test"  # the test server takes any bearer token
    patient = fhir.create("Patient", {
        "identifier": [{"system": NO_NATIONAL_ID, "value": "15837110073"}],
        "name": [{"family": "Nordmann", "given": ["Kari"]}],
    }, token)

    def seed_shared(resource: dict[str, Any]) -> dict[str, Any]:
        return fhir.create(resource["resourceType"], resource, token)

    try:
        yield Target("medplum", fhir, token, patient["id"], seed_shared)
    finally:
        http.close()


def _demo() -> Iterator[Target]:
    clock = ManualClock()
    backend = DemoBackend("127.0.0.1", 0, clock=clock, seed=7, poll_interval=0)
    backend.start()
    http = HttpClient(backend.fhir_base, timeout_s=TIMEOUT_S, retries=0)
    flow = device_sign_in(backend.fhir_base, "contract-test", clock=clock)
    try:
        auth = flow.start()
        page = auth.verification_uri_complete.split("?", 1)[0]
        requests.post(page, data={"user_code": auth.user_code, "patient": "kari",
                                  "decision": "approve"}, timeout=TIMEOUT_S)
        result = flow.poll(auth)
        assert result.token is not None, f"demo sign-in did not approve: {result.status}"
        yield Target("demo", FhirClient(http), result.token.access_token,
                     result.token.patient_id, lambda resource: backend.put(resource))
    finally:
        close_sign_in(flow)
        http.close()
        backend.stop()


def _two_origins(origins: TwoOrigins) -> Iterator[Target]:
    patient = origins.create({
        "resourceType": "Patient",
        "identifier": [{"system": NO_NATIONAL_ID, "value": "15837110073"}],
        "name": [{"family": "Nordmann", "given": ["Kari"]}],
    })
    flow = device_sign_in(origins.fhir.fhir_base, clock=ManualClock())
    try:
        auth = flow.start()
        origins.oidc.approve(auth.verification_uri_complete, login=patient["id"])
        result = flow.poll(auth)
        assert result.token is not None, f"sign-in did not approve: {result.status}"
        token = result.token.access_token

        def seed_shared(resource: dict[str, Any]) -> dict[str, Any]:
            return flow.fhir.create(resource["resourceType"], resource, token)

        yield Target("medplum-two-origins", flow.fhir, token, result.token.patient_id,
                     seed_shared)
    finally:
        close_sign_in(flow)


@pytest.fixture(scope="module", params=["medplum", "medplum-two-origins", "demo"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "medplum":
        yield from _medplum(request.getfixturevalue("medplum_server"))
    elif request.param == "medplum-two-origins":
        yield from _two_origins(request.getfixturevalue("two_origins"))
    else:
        yield from _demo()


# ---- submissions: create, read back, conditional create ------------------------------------


def test_create_reads_back_and_is_found_by_identifier(target: Target) -> None:
    sub = measurements.measurement(measurements.kinds()["pulse"], {"pulse": 72},
                                   target.patient_id, NOW)
    stored = target.send(sub)
    assert stored["id"] and stored["meta"]["versionId"]
    again = target.fhir.read("Observation", stored["id"], target.token)
    assert again["valueQuantity"] == sub.resource["valueQuantity"]
    assert again["identifier"] == sub.resource["identifier"]
    assert [o["id"] for o in target.by_identifier(sub)] == [stored["id"]]


def test_conditional_create_twice_stores_one(target: Target) -> None:
    sub = messages.message(target.patient_id, "Can I have a call back?", NOW)
    first = target.send(sub)
    second = target.send(sub)
    assert second["id"] == first["id"]
    # A retry whose body differs still finds the first: the identifier decides, not the body.
    changed = replace(sub, resource={**sub.resource, "payload": [{"contentString": "other"}]})
    third = target.send(changed)
    assert third["id"] == first["id"]
    assert third["payload"] == [{"contentString": "Can I have a call back?"}]
    assert len(target.by_identifier(sub)) == 1


def test_conditional_create_of_a_single_identifier_type(target: Target) -> None:
    answers = [questionnaire.Answer("fever", True)]
    sub = questionnaire.response("urn:uuid:" + str(uuid.uuid4()), answers, target.patient_id,
                                 NOW)
    assert isinstance(sub.resource["identifier"], dict)
    assert target.send(sub)["id"] == target.send(sub)["id"]
    assert len(target.by_identifier(sub)) == 1


# ---- medicines and renewal ---------------------------------------------------------------


def test_medicines_and_renewal_request(target: Target) -> None:
    statement = target.seed({
        "resourceType": "MedicationStatement", "status": "active", "subject": target.me,
        "medicationCodeableConcept": {"text": "Contractamol 500 mg"},
        "dosage": [{"text": "1 tablet 3 times a day"}],
    })
    request = target.seed({
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "subject": target.me, "medicationCodeableConcept": {"text": "Contractozin 10 mg"},
        "dosageInstruction": [{"text": "1 tablet in the morning"}],
    })
    listed = {m.id: m for m in medicines.medicines(target.fhir, target.token, target.patient_id)}
    mine = listed[statement["id"]]
    assert (mine.name, mine.dosage, mine.resource_type) == (
        "Contractamol 500 mg", "1 tablet 3 times a day", "MedicationStatement")
    assert listed[request["id"]].dosage == "1 tablet in the morning"
    assert not listed[request["id"]].renewal_requested

    sub = medicines.renewal_request(listed[request["id"]], target.patient_id, NOW, "Soon, please")
    task = target.send(sub)
    read = target.fhir.read("Task", task["id"], target.token)
    assert read["focus"]["reference"] == f"MedicationRequest/{request['id']}"
    assert read["for"] == target.me and read["status"] == "requested"
    found = target.fhir.search("Task", {"patient": f"Patient/{target.patient_id}"}, target.token)
    assert task["id"] in {t["id"] for t in found}
    after = {m.id: m for m in medicines.medicines(target.fhir, target.token, target.patient_id)}
    assert after[request["id"]].renewal_requested
    assert not after[statement["id"]].renewal_requested


# ---- messages ----------------------------------------------------------------------------


def test_message_and_reply_form_a_conversation(target: Target) -> None:
    office = target.seed({"resourceType": "Organization", "name": "Contract GP office",
                          "telecom": [{"system": "phone", "value": "+47 11 22 33 44"}]})
    asked = target.send(messages.message(
        target.patient_id, "Is my test result ready?", NOW - timedelta(days=400),
        recipient=f"Organization/{office['id']}"))
    reply = target.seed({
        "resourceType": "Communication", "status": "completed", "subject": target.me,
        "sender": {"reference": f"Organization/{office['id']}", "display": "Contract GP office"},
        "recipient": [target.me], "sent": (NOW - timedelta(days=399)).isoformat(),
        "inResponseTo": [{"reference": f"Communication/{asked['id']}"}],
        "payload": [{"contentString": "Yes, it is normal."}],
    })
    found = target.fhir.search(
        "Communication", {"subject": f"Patient/{target.patient_id}"}, target.token)
    assert {asked["id"], reply["id"]} <= {c["id"] for c in found}
    conversation = messages.messages(target.fhir, target.token, target.patient_id)
    order = [m.id for m in conversation]
    assert order.index(reply["id"]) < order.index(asked["id"])  # newest first
    by_id = {m.id: m for m in conversation}
    assert by_id[asked["id"]].from_patient and by_id[asked["id"]].in_response_to is None
    answer = by_id[reply["id"]]
    assert not answer.from_patient and answer.in_response_to == asked["id"]
    assert (answer.text, answer.sender) == ("Yes, it is normal.", "Contract GP office")


# ---- consent -----------------------------------------------------------------------------


def test_consent_give_list_and_withdraw(target: Target) -> None:
    research = consent.topics()["research"]
    given = target.send(consent.give(research, target.patient_id, NOW))
    records = {r.id: r for r in consent.consents(target.fhir, target.token, target.patient_id)}
    assert records[given["id"]].topic == research and records[given["id"]].active
    active = target.fhir.search(
        "Consent", {"patient": f"Patient/{target.patient_id}", "status": "active"}, target.token)
    assert given["id"] in {c["id"] for c in active}

    withdraw = consent.withdraw(given["id"])
    withdrawn = target.send(withdraw)
    assert withdrawn["status"] == "inactive"
    assert withdrawn["meta"]["versionId"] != given["meta"]["versionId"]
    assert target.send(withdraw)["meta"]["versionId"] == withdrawn["meta"]["versionId"]
    records = {r.id: r for r in consent.consents(target.fhir, target.token, target.patient_id)}
    assert not records[given["id"]].active
    active = target.fhir.search(
        "Consent", {"patient": f"Patient/{target.patient_id}", "status": "active"}, target.token)
    assert given["id"] not in {c["id"] for c in active}


class _InterleavingClient(FhirClient):
    """A real client that lets someone else change the resource right after each of its reads
    (the first ``times`` reads), as another kiosk or the GP office might."""

    def __init__(self, base: FhirClient, meddle: Callable[[dict[str, Any]], None],
                 times: int) -> None:
        super().__init__(base.http, base.max_pages)
        self._meddle, self._left = meddle, times

    def read(self, resource_type: str, resource_id: str, token: str) -> dict[str, Any]:
        found = super().read(resource_type, resource_id, token)
        if self._left > 0:
            self._left -= 1
            self._meddle(found)
        return found


def test_withdraw_rereads_when_changed_meanwhile(target: Target) -> None:
    given = target.send(consent.give(consent.topics()["sharing"], target.patient_id, NOW))

    def office_edits(current: dict[str, Any]) -> None:
        note = {**current, "dateTime": (NOW + timedelta(minutes=5)).isoformat()}
        target.fhir.update("Consent", current["id"], note, target.token)

    racing = _InterleavingClient(target.fhir, office_edits, times=1)
    withdrawn = deliver(racing, consent.withdraw(given["id"]), target.token)
    assert withdrawn["status"] == "inactive"
    assert withdrawn["dateTime"] == (NOW + timedelta(minutes=5)).isoformat()


def test_stale_update_is_refused_with_412(target: Target) -> None:
    given = target.send(consent.give(consent.topics()["research"], target.patient_id, NOW))
    target.fhir.update("Consent", given["id"], {**given, "status": "inactive"}, target.token)
    with pytest.raises(ServiceRejected) as caught:
        target.fhir.update("Consent", given["id"], {**given, "status": "rejected"}, target.token)
    assert caught.value.status == 412
    assert not isinstance(caught.value, ResourceInvalid)
    assert target.fhir.read("Consent", given["id"], target.token)["status"] == "inactive"


# ---- proxies -----------------------------------------------------------------------------


def test_register_proxy(target: Target) -> None:
    sub = proxies.register_proxy(target.patient_id, "Ola  Nordmann", date(2026, 12, 1),
                                 date(2027, 12, 1), relationship="SPS")
    stored = target.send(sub)
    people = {p.id: p for p in proxies.related_people(target.fhir, target.token,
                                                       target.patient_id)}
    proxy = people[stored["id"]]
    assert proxy.is_proxy and proxy.name == "Ola Nordmann"
    assert proxy.relationships == ("HPOWATT", "SPS")
    assert (proxy.start, proxy.end) == (date(2026, 12, 1), date(2027, 12, 1))
    assert proxy.in_force(date(2027, 6, 1)) and not proxy.in_force(date(2027, 12, 2))


def test_whose_record_lists_the_people_linked_to_me_and_no_stranger(target: Target) -> None:
    # A server that does not filter "every Patient" (Medplum here, as most) would show a
    # citizen strangers; the kiosk lists only records whose RelatedPerson names the citizen.
    stranger = target.seed_shared({"resourceType": "Patient", "id": "stranger-1",
                                   "name": [{"family": "Fremmed", "given": ["Per"]}]})
    if target.medplum:
        emil = target.seed_shared({"resourceType": "Patient",
                                   "name": [{"family": "Nordmann", "given": ["Emil"]}],
                                   "birthDate": "2014-06-02"})
        target.seed_shared({
            "resourceType": "RelatedPerson", "active": True,
            "patient": {"reference": f"Patient/{emil['id']}"},
            "identifier": [{"system": NO_NATIONAL_ID, "value": "15837110073"}],
            "name": [{"family": "Nordmann", "given": ["Kari"]}],
        })
    everyone = {p["id"] for p in target.fhir.search("Patient", {"_count": 100}, target.token)}
    linked = proxies.linked_records(target.fhir, target.token, target.patient_id, NOW.date())
    # The contract's practice service runs without a country's family rules: it refuses Kari
    # Emil's record, and a record the server refuses is left out.
    expected = ["Emil Nordmann"] if target.medplum else []
    assert [name for _id, name in linked] == expected
    assert stranger["id"] not in {pid for pid, _name in linked}
    if target.medplum:
        assert stranger["id"] in everyone, "Medplum lists every Patient: the case this is about"


def test_ending_a_proxy_keeps_its_record_but_not_in_force(target: Target) -> None:
    stored = target.send(proxies.register_proxy(target.patient_id, "Ola Ended",
                                                date(2026, 12, 1)))
    target.send(proxies.end_proxy(stored["id"]))
    people = {p.id: p for p in proxies.related_people(target.fhir, target.token,
                                                       target.patient_id)}
    ended = people[stored["id"]]
    assert ended.is_proxy and not ended.active
    assert not ended.in_force(date(2027, 1, 1))
    assert ended.name == "Ola Ended" and ended.start == date(2026, 12, 1)


def test_proxy_areas_extension_and_national_id_are_accepted(target: Target) -> None:
    sub = proxies.register_proxy(target.patient_id, "Ola Nordmann", date(2026, 12, 1),
                                 areas=["records", "appointments"], national_id="02888510128")
    stored = target.send(sub)
    assert stored["extension"] == [
        {"url": proxies.AREA_EXTENSION, "valueCode": "appointments"},
        {"url": proxies.AREA_EXTENSION, "valueCode": "records"}]
    people = {p.id: p for p in proxies.related_people(target.fhir, target.token,
                                                       target.patient_id)}
    proxy = people[stored["id"]]
    assert (proxy.areas, proxy.national_id) == (("appointments", "records"), "02888510128")


# ---- measurements and questionnaire -----------------------------------------------------


MID_VALUES = {
    "blood_pressure": {"systolic": 128, "diastolic": 82},
    "pulse": {"pulse": 64},
    "weight": {"weight": Decimal("81.4")},
    "blood_glucose": {"glucose": Decimal("6.2")},
    "oxygen_saturation": {"saturation": 97},
}


@pytest.mark.parametrize("key", sorted(MID_VALUES))
def test_each_measurement_kind_round_trips(target: Target, key: str) -> None:
    kind = measurements.kinds()[key]
    taken = NOW + timedelta(days=30, minutes=len(key))
    stored = target.send(measurements.measurement(kind, MID_VALUES[key], target.patient_id,
                                                  taken))
    records = measurements.measurements(target.fhir, target.token, target.patient_id, kind)
    (record,) = [r for r in records if r.id == stored["id"]]
    assert record.effective == taken
    assert dict(record.values) == {k: Decimal(str(v)) for k, v in MID_VALUES[key].items()}


def test_measurements_search_by_code_date_sort_and_count(target: Target) -> None:
    kind = measurements.kinds()["pulse"]
    base = NOW + timedelta(days=200)
    ids = [target.send(measurements.measurement(kind, {"pulse": 60 + i}, target.patient_id,
                                                base + timedelta(hours=i)))["id"]
           for i in range(3)]
    later = target.fhir.search("Observation", {
        "subject": f"Patient/{target.patient_id}", "code": "http://loinc.org|8867-4",
        "date": f"ge{(base + timedelta(minutes=30)).isoformat()}", "_sort": "-date",
    }, target.token)
    assert [o["id"] for o in later] == [ids[2], ids[1]]
    latest = measurements.measurements(target.fhir, target.token, target.patient_id, kind,
                                       count=1)
    assert [r.id for r in latest] == [ids[2]]
    weights = target.fhir.search("Observation", {
        "subject": f"Patient/{target.patient_id}", "code": "http://loinc.org|29463-7",
        "date": f"ge{base.isoformat()}"}, target.token)
    assert weights == []


def test_symptom_questionnaire_round_trips(target: Target) -> None:
    url = "http://helselos.example/Questionnaire/contract-symptoms"
    answers = [
        questionnaire.Answer("fever", True, "Do you have a fever?"),
        questionnaire.Answer("days", 3),
        questionnaire.Answer("temperature", Decimal("38.5")),
        questionnaire.Answer("since", date(2026, 11, 28)),
        questionnaire.Answer("other", "A sore throat"),
    ]
    stored = target.send(questionnaire.response(url, answers, target.patient_id, NOW))
    found = target.fhir.search("QuestionnaireResponse",
                               {"subject": f"Patient/{target.patient_id}"}, target.token)
    assert stored["id"] in {q["id"] for q in found}
    (record,) = [r for r in questionnaire.responses(target.fhir, target.token,
                                                    target.patient_id) if r.id == stored["id"]]
    assert record.questionnaire == url and record.authored == NOW
    assert record.answers == tuple(answers)


def test_the_symptom_answers_point_at_a_questionnaire_the_server_holds(target: Target) -> None:
    # What `kiosk symptom-questionnaire` prints is a Questionnaire a real server accepts (Medplum
    # validates it on write; the practice service seeds it), found by the canonical URL that
    # every QuestionnaireResponse of the symptom guide names, with an item for every answer.
    held = symptom_questionnaire()
    if target.medplum:
        target.seed_shared({k: v for k, v in held.items() if k != "id"})
    (found,) = target.fhir.search("Questionnaire", {"url": QUESTIONNAIRE}, target.token)
    assert [(i["linkId"], i["type"]) for i in found["item"]] == [
        (i["linkId"], i["type"]) for i in held["item"]]
    answers = [questionnaire.Answer(i["linkId"], True if i["type"] == "boolean" else 4, i["text"])
               for i in held["item"]]
    stored = target.send(questionnaire.response(QUESTIONNAIRE, answers, target.patient_id, NOW))
    assert stored["questionnaire"] == found["url"]


# ---- vaccines and contacts ---------------------------------------------------------------


def test_vaccines_and_recommendations(target: Target) -> None:
    given = target.seed({
        "resourceType": "Immunization", "status": "completed", "patient": target.me,
        "vaccineCode": {"text": "Contract MMR"}, "occurrenceDateTime": "2019-05-02",
    })
    target.seed({
        "resourceType": "ImmunizationRecommendation", "patient": target.me,
        "date": NOW.isoformat(),
        "recommendation": [{
            "vaccineCode": [{"text": "Contract influenza"}],
            "forecastStatus": {"text": "due"},
            "dateCriterion": [{"code": {"coding": [{"system": "http://loinc.org",
                                                    "code": "30980-7"}]},
                               "value": "2027-10-01"}],
        }],
    })
    listed = {v.id: v for v in vaccines.vaccines(target.fhir, target.token, target.patient_id)}
    assert (listed[given["id"]].name, listed[given["id"]].given) == ("Contract MMR",
                                                                     date(2019, 5, 2))
    recommended = vaccines.recommendations(target.fhir, target.token, target.patient_id)
    flu = [r for r in recommended if r.name == "Contract influenza"]
    assert flu and flu[0].due == date(2027, 10, 1) and flu[0].status == "due"


def test_alerts_are_found_by_category_and_kept_out_of_the_conversation(target: Target) -> None:
    def notice(category: str | None, text: str, days_ago: int) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Communication", "status": "completed", "subject": target.me,
            "sender": {"display": "Contract GP office"}, "recipient": [target.me],
            "sent": (NOW - timedelta(days=days_ago)).isoformat(),
            "payload": [{"contentString": text}],
        }
        if category is not None:
            resource["category"] = [{"coding": [{"system": alerts.CATEGORY_SYSTEM,
                                                 "code": category}]}]
        return target.seed(resource)

    reminder = notice("reminder", "Contract: time for your flu vaccine", 3)
    ready = notice("notification", "Contract: your results are ready", 2)
    chat = notice(None, "Contract: a reply in the conversation", 1)
    listed = alerts.alerts(target.fhir, target.token, target.patient_id)
    ours = [a for a in listed if a.id in {reminder["id"], ready["id"], chat["id"]}]
    assert [a.id for a in ours] == [ready["id"], reminder["id"]]  # newest first, no chat
    assert ours[0].text == "Contract: your results are ready"
    assert ours[0].sender == "Contract GP office"
    conversation = {m.id for m in messages.messages(target.fhir, target.token,
                                                    target.patient_id)}
    assert chat["id"] in conversation
    assert not conversation & {reminder["id"], ready["id"]}


def test_health_contacts_from_active_care_teams(target: Target) -> None:
    doctor = target.seed({"resourceType": "Practitioner",
                          "name": [{"family": "Kontrakt", "given": ["Kari"], "prefix": ["Dr."]}],
                          "telecom": [{"system": "phone", "value": "+47 55 55 55 55"}]})
    nurse_office = target.seed({"resourceType": "Organization", "name": "Contract health station"})
    target.seed({
        "resourceType": "CareTeam", "status": "active", "subject": target.me,
        "participant": [
            {"role": [{"text": "GP"}],
             "member": {"reference": f"Practitioner/{doctor['id']}"}},
            {"role": [{"text": "School nurse"}],
             "member": {"reference": f"Organization/{nurse_office['id']}",
                        "display": "Contract school nurse"}},
        ],
    })
    target.seed({
        "resourceType": "CareTeam", "status": "inactive", "subject": target.me,
        "participant": [{"member": {"reference": f"Organization/{nurse_office['id']}",
                                    "display": "Old team"}}],
    })
    found = {c.reference: c for c in contacts.health_contacts(target.fhir, target.token,
                                                              target.patient_id)}
    gp = found[f"Practitioner/{doctor['id']}"]
    assert (gp.name, gp.role, gp.phone) == ("Dr. Kari Kontrakt", "GP", "+47 55 55 55 55")
    nurse = found[f"Organization/{nurse_office['id']}"]
    assert (nurse.name, nurse.role, nurse.phone) == ("Contract school nurse", "School nurse", None)


# ---- appointments: at the office, by video, by phone -------------------------------------


def test_slots_are_found_by_service_type_and_a_booking_keeps_it(target: Target) -> None:
    doctor = target.seed({"resourceType": "Practitioner", "name": [{"family": "Kontrakt"}]})
    schedule = target.seed({"resourceType": "Schedule",
                            "actor": [{"reference": f"Practitioner/{doctor['id']}"}]})
    day = datetime(2031, 3, 3, 9, 0, tzinfo=OSLO)  # after every seeded demo slot

    def slot(minutes: int, mode: str | None) -> dict[str, Any]:
        start = day + timedelta(minutes=minutes)
        return target.seed({
            "resourceType": "Slot", "schedule": {"reference": f"Schedule/{schedule['id']}"},
            "status": "free", "start": start.isoformat(),
            "end": (start + timedelta(minutes=20)).isoformat(),
            **({"serviceType": [MODES[mode].concept()]} if mode else {}),
        })

    video, phone, office, plain = (slot(0, "video"), slot(20, "phone"), slot(40, "office"),
                                   slot(60, None))
    found = target.fhir.search("Slot", {
        "schedule": f"Schedule/{schedule['id']}",
        "service-type": f"{PARTICIPATION_MODE}|VIDEOCONF"}, target.token)
    assert [s["id"] for s in found] == [video["id"]]

    service = AppointmentService(target.fhir)
    before = day - timedelta(hours=1)
    listed = {mode: [o.id for o in service.free_slots(target.token, before, mode)]
              for mode in MODES}
    assert listed == {"office": [office["id"], plain["id"]], "video": [video["id"]],
                      "phone": [phone["id"]]}

    booked_id = service.book(target.token, target.patient_id, video["id"], "video")
    booked = target.fhir.read("Appointment", booked_id, target.token)
    assert booked["serviceType"] == video["serviceType"]
    later = slot(80, "video")
    assert [o.id for o in service.free_slots_for_move(target.token, booked_id, before)] == [
        later["id"]]
    service.move(target.token, booked_id, later["id"])
    moved = target.fhir.read("Appointment", booked_id, target.token)
    assert moved["slot"] == [{"reference": f"Slot/{later['id']}"}]
    assert mode_of(moved) == "video"


# ---- refusals: OperationOutcome becomes a typed error ------------------------------------


def _nothing_stored(target: Target, sub: Submission) -> bool:
    return target.by_identifier(sub) == []


def test_observation_without_code_is_refused(target: Target) -> None:
    sub = measurements.measurement(measurements.kinds()["pulse"], {"pulse": 70},
                                   target.patient_id, NOW)
    broken = replace(sub, resource={k: v for k, v in sub.resource.items() if k != "code"})
    with pytest.raises(ResourceInvalid) as caught:
        target.send(broken)
    assert caught.value.status in (400, 422)
    assert "required" in caught.value.detail.lower()
    assert caught.value.msgid.startswith("The health service did not accept")
    assert _nothing_stored(target, sub)


def test_consent_without_policy_is_refused(target: Target) -> None:
    sub = consent.give(consent.topics()["research"], target.patient_id, NOW)
    broken = replace(sub, resource={k: v for k, v in sub.resource.items() if k != "policyRule"})
    with pytest.raises(ResourceInvalid) as caught:
        target.send(broken)
    assert caught.value.detail
    assert _nothing_stored(target, sub)


def test_unknown_resource_is_a_typed_404(target: Target) -> None:
    with pytest.raises(ServiceRejected) as caught:
        target.fhir.read("Consent", "no-such-consent", target.token)
    assert caught.value.status == 404 and caught.value.code == "not-found"
    assert not isinstance(caught.value, ResourceInvalid)
    assert caught.value.msgid.startswith("We could not find")


def test_withdrawing_an_unknown_consent_is_a_404(target: Target) -> None:
    with pytest.raises(ServiceRejected) as caught:
        target.send(consent.withdraw("no-such-consent"))
    assert caught.value.status == 404


# ---- the real server's own validation (Medplum only: the demo checks less) -------------


def test_medplum_refuses_an_unknown_element_and_says_which(
    medplum_server: MedplumServer,
) -> None:
    http = HttpClient(medplum_server.fhir_base, timeout_s=TIMEOUT_S, retries=0)
    try:
        fhir = FhirClient(http)
        patient = fhir.create("Patient", {"name": [{"family": "Test"}]}, "t")
        sub = submission.create("Observation", {
            "status": "final", "code": {"text": "pulse"}, "colour": "blue",
            "subject": {"reference": f"Patient/{patient['id']}"},
        })
        with pytest.raises(ResourceInvalid) as caught:
            deliver(fhir, sub, "t")
        assert 'Invalid additional property "colour"' in caught.value.detail
        assert caught.value.status == 400 and caught.value.code == "structure"
        # The request is named by its path under the FHIR base the client is given.
        assert "POST /Observation: HTTP 400" in str(caught.value)
    finally:
        http.close()
