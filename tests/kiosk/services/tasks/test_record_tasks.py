"""Record tasks (vaccines, recommendations, health contacts) through the guides' ActionPort,
with a real Session against the demo backend: what is listed is what the server holds."""

from __future__ import annotations

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.tasks.common import NotSignedIn, TaskActions, TaskContext
from kiosk.session import Session
from tests.kiosk.services.tasks.sessions import SignIn, session_for


@pytest.fixture
def actions(http: HttpClient, clock: ManualClock) -> TaskActions:
    return TaskActions(TaskContext(FhirClient(http), clock))


def held(backend: DemoBackend, kind: str, patient: str, field: str) -> list[dict]:
    return [r for r in backend.resources(kind)
            if r[field]["reference"] == f"Patient/{patient}"]


def test_the_sources_are_offered(actions: TaskActions) -> None:
    assert {"my_vaccines", "vaccine_recommendations", "health_contacts"} <= actions.sources()


def test_my_vaccines_are_the_patients_immunizations_newest_first(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari")
    listed = actions.options("my_vaccines", session)
    stored = sorted(held(backend, "Immunization", "kari", "patient"),
                    key=lambda r: r["occurrenceDateTime"], reverse=True)
    assert stored, "the demo seed gives kari vaccines"
    assert [o.id for o in listed] == [r["id"] for r in stored]
    assert [o.label for o in listed] == [r["vaccineCode"]["text"] for r in stored]
    assert [o.day and o.day.isoformat() for o in listed] == [
        r["occurrenceDateTime"][:10] for r in stored]


def test_recommendations_name_the_vaccine_its_status_and_due_day(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari")
    listed = actions.options("vaccine_recommendations", session)
    items = [item for r in held(backend, "ImmunizationRecommendation", "kari", "patient")
             for item in r["recommendation"]]
    assert len(listed) == len(items) >= 1
    item = items[0]
    due = item["dateCriterion"][0]["value"][:10]
    assert listed[0].label == item["vaccineCode"][0]["text"]
    # The seed's status is the code "due": said in words the screen translates.
    assert item["forecastStatus"]["coding"][0]["code"] == "due"
    assert (listed[0].note, listed[0].detail) == ("due now", "")
    assert listed[0].day is not None and listed[0].day.isoformat() == due


def test_alerts_are_the_services_notices_newest_first_with_sender_and_day(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari")
    listed = actions.options("my_alerts", session)
    stored = sorted((c for c in held(backend, "Communication", "kari", "subject")
                     if c.get("category")), key=lambda c: c["sent"], reverse=True)
    assert len(stored) == 2, "the demo seed gives kari a reminder and a notice"
    assert [o.id for o in listed] == [c["id"] for c in stored]
    assert [o.label for o in listed] == [c["payload"][0]["contentString"] for c in stored]
    assert {o.detail for o in listed} == {"Demo GP office"}
    assert all(o.day is not None and o.day.isoformat() == c["sent"][:10]
               for o, c in zip(listed, stored, strict=True))
    conversation = {o.id for o in actions.options("my_messages", session)}
    assert conversation and not conversation & {o.id for o in listed}


def test_a_citizen_without_recommendations_gets_an_empty_list(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    # The operator files fatima's recommendations under her daughter, so none are left hers.
    for recommendation in held(backend, "ImmunizationRecommendation", "fatima", "patient"):
        backend.put({**recommendation, "patient": {"reference": "Patient/sara"}})
    session = session_for(sign_in, "fatima")
    assert actions.options("vaccine_recommendations", session) == []
    assert actions.options("my_vaccines", session), "her own vaccines are still listed"


def test_health_contacts_are_the_care_team_with_role_and_phone(
    actions: TaskActions, backend: DemoBackend, sign_in: SignIn
) -> None:
    session = session_for(sign_in, "kari")
    listed = actions.options("health_contacts", session)
    members = [p for team in held(backend, "CareTeam", "kari", "subject")
               for p in team["participant"]]
    assert [o.id for o in listed] == [p["member"]["reference"] for p in members]
    assert [o.label for o in listed] == [p["member"]["display"] for p in members]
    for option, participant in zip(listed, members, strict=True):
        kind, _, rid = participant["member"]["reference"].partition("/")
        phones = [t["value"] for t in backend.store.get(kind, rid).get("telecom", [])
                  if t["system"] == "phone"]
        assert option.detail == ", ".join([participant["role"][0]["text"], *phones[:1]])


def test_records_need_a_signed_in_citizen(actions: TaskActions) -> None:
    for source in ("my_vaccines", "vaccine_recommendations", "health_contacts"):
        with pytest.raises(NotSignedIn):
            actions.options(source, Session("en"))
