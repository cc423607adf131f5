"""Book, move and cancel against the demo backend, each change read back from the server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.appointments import (
    MODES,
    PARTICIPATION_MODE,
    AppointmentService,
    BookingIncomplete,
    SlotChanged,
    SlotTaken,
    mode_of,
)
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient, ServiceRejected
from kiosk.services.signin import TokenResponse

SignIn = Callable[[str], TokenResponse]


def slot_status(backend: DemoBackend, slot_id: str) -> str:
    return next(s["status"] for s in backend.slots() if s["id"] == slot_id)


def stored(backend: DemoBackend, appointment_id: str) -> dict:
    return next(a for a in backend.appointments() if a["id"] == appointment_id)


def test_free_slots_are_future_free_and_sorted(backend: DemoBackend, clock: ManualClock,
                                               appointments: AppointmentService,
                                               sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    options = appointments.free_slots(token, clock.now())
    free_future = {s["id"] for s in backend.slots() if s["status"] == "free"
                   and datetime.fromisoformat(s["start"]) > clock.now()}
    assert {o.id for o in options} == free_future
    assert all(o.start > clock.now() and o.start.tzinfo is not None for o in options)
    assert [o.start for o in options] == sorted(o.start for o in options)
    assert options[0].detail == "Demo GP office"


def test_past_slots_are_skipped(backend: DemoBackend, clock: ManualClock,
                                appointments: AppointmentService, sign_in: SignIn) -> None:
    clock.advance(3 * 24 * 3600)
    token = sign_in("kari").access_token
    options = appointments.free_slots(token, clock.now())
    assert options[0].start > clock.now()
    older = [s for s in backend.slots() if datetime.fromisoformat(s["start"]) < clock.now()]
    assert older  # the server still holds earlier slots; they are not offered
    assert not {s["id"] for s in older} & {o.id for o in options}


def test_my_appointments_lists_the_seeded_one(backend: DemoBackend, clock: ManualClock,
                                              appointments: AppointmentService,
                                              sign_in: SignIn) -> None:
    (seeded,) = backend.appointments()
    mine = appointments.my_appointments(sign_in("kari").access_token, "kari", clock.now())
    assert [o.id for o in mine] == [seeded["id"]]
    assert mine[0].start.isoformat() == seeded["start"]
    assert appointments.my_appointments(sign_in("ola").access_token, "ola", clock.now()) == []


def test_book_creates_the_appointment_and_marks_the_slot_busy(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("ola").access_token
    slot = appointments.free_slots(token, clock.now())[3]
    appointment_id = appointments.book(token, "ola", slot.id)
    saved = stored(backend, appointment_id)
    assert saved["status"] == "booked"
    assert saved["slot"] == [{"reference": f"Slot/{slot.id}"}]
    assert saved["participant"][0]["actor"]["reference"] == "Patient/ola"
    assert slot_status(backend, slot.id) == "busy"
    assert slot.id not in {o.id for o in appointments.free_slots(token, clock.now())}
    mine = appointments.my_appointments(token, "ola", clock.now())
    assert [(o.id, o.start) for o in mine] == [(appointment_id, slot.start)]


def test_booking_a_busy_slot_is_slot_taken(backend: DemoBackend,
                                           appointments: AppointmentService,
                                           sign_in: SignIn) -> None:
    busy = next(s for s in backend.slots() if s["status"] == "busy")
    with pytest.raises(SlotTaken) as caught:
        appointments.book(sign_in("ola").access_token, "ola", busy["id"])
    assert "choose another time" in caught.value.msgid
    assert len(backend.appointments()) == 1


def test_two_kiosks_booking_the_same_slot_only_one_wins(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn
) -> None:
    tokens = {p: sign_in(p).access_token for p in ("ola", "fatima")}
    target = next(s for s in backend.slots() if s["status"] == "free"
                  and datetime.fromisoformat(s["start"]) > clock.now())["id"]
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2, timeout=5)

    def book(patient: str) -> None:
        service = AppointmentService(FhirClient(HttpClient(backend.fhir_base, timeout_s=5)))
        barrier.wait()
        try:
            outcomes[patient] = service.book(tokens[patient], patient, target)
        except SlotTaken:
            outcomes[patient] = "taken"

    threads = [threading.Thread(target=book, args=(p,)) for p in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(v == "taken" for v in outcomes.values()) == [False, True]
    on_slot = [a for a in backend.appointments()
               if a["status"] == "booked" and a["slot"][0]["reference"] == f"Slot/{target}"]
    assert len(on_slot) == 1
    assert slot_status(backend, target) == "busy"


def test_move_frees_the_old_slot_and_takes_the_new_one(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("kari").access_token
    (seeded,) = backend.appointments()
    old_slot = seeded["slot"][0]["reference"].removeprefix("Slot/")
    new = appointments.free_slots_for_move(token, seeded["id"], clock.now())[-1]
    appointments.move(token, seeded["id"], new.id)
    saved = stored(backend, seeded["id"])
    assert saved["status"] == "booked"
    assert saved["slot"] == [{"reference": f"Slot/{new.id}"}]
    assert saved["start"] == new.start.isoformat()
    assert (slot_status(backend, old_slot), slot_status(backend, new.id)) == ("free", "busy")
    assert appointments.appointment(token, seeded["id"]).start == new.start


def test_moving_to_a_busy_slot_changes_nothing(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("ola").access_token
    free = appointments.free_slots(token, clock.now())
    mine = appointments.book(token, "ola", free[0].id)
    (seeded,) = [a for a in backend.appointments() if a["id"] != mine]
    taken = seeded["slot"][0]["reference"].removeprefix("Slot/")
    with pytest.raises(SlotTaken):
        appointments.move(token, mine, taken)
    assert stored(backend, mine)["slot"] == [{"reference": f"Slot/{free[0].id}"}]
    assert slot_status(backend, free[0].id) == "busy"


def test_cancel_frees_the_slot(backend: DemoBackend, clock: ManualClock,
                               appointments: AppointmentService, sign_in: SignIn) -> None:
    token = sign_in("kari").access_token
    (seeded,) = backend.appointments()
    slot_id = seeded["slot"][0]["reference"].removeprefix("Slot/")
    appointments.cancel(token, seeded["id"])
    assert stored(backend, seeded["id"])["status"] == "cancelled"
    assert slot_status(backend, slot_id) == "free"
    assert appointments.my_appointments(token, "kari", clock.now()) == []
    assert slot_id in {o.id for o in appointments.free_slots(token, clock.now())}


def outcome(code: str, text: str) -> bytes:
    return json.dumps({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": code, "diagnostics": text}]}).encode()


class FailingPuts:
    """A loopback proxy to the demo backend that refuses PUTs on the given types: 503 with no
    body, or ``status`` with the OperationOutcome ``answer`` other servers send."""

    def __init__(self, target: str, failing: set[str], status: int = 503,
                 answer: bytes = b"") -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kind = self.path.split("?")[0].split("/")[2:3]
                if self.command == "PUT" and set(kind) & failing:
                    status, content = refusal, refusal_body
                    headers = {"Content-Type": "application/fhir+json"} if refusal_body else {}
                else:
                    answer = requests.request(
                        self.command, target + self.path, data=body, timeout=5,
                        headers=dict(self.headers.items()))  # Host kept, like a reverse proxy
                    status, content = answer.status_code, answer.content
                    headers = {"Content-Type": answer.headers.get("Content-Type", "")}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = _forward

        refusal, refusal_body = status, answer
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_puts(backend: DemoBackend) -> Iterator[Callable[..., AppointmentService]]:
    proxies: list[FailingPuts] = []

    def make(failing: set[str], status: int = 503, answer: bytes = b"") -> AppointmentService:
        proxy = FailingPuts(backend.base_url, failing, status, answer)
        proxies.append(proxy)
        return AppointmentService(FhirClient(HttpClient(f"{proxy.url}/fhir", timeout_s=5,
                                                        retries=0)))

    yield make
    for proxy in proxies:
        proxy.stop()


def test_when_the_slot_cannot_be_marked_the_booking_is_undone(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn,
    failing_puts: Callable[[set[str]], AppointmentService],
) -> None:
    service = failing_puts({"Slot"})
    token = sign_in("ola").access_token
    slot = service.free_slots(token, clock.now())[0]
    with pytest.raises(ServiceRejected) as caught:
        service.book(token, "ola", slot.id)
    assert caught.value.status == 503
    (undone,) = [a for a in backend.appointments() if a["id"] != "appt-1"]
    assert undone["status"] == "cancelled"
    assert slot_status(backend, slot.id) == "free"


def test_when_undoing_fails_too_the_citizen_is_sent_to_staff(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn,
    failing_puts: Callable[[set[str]], AppointmentService],
) -> None:
    service = failing_puts({"Slot", "Appointment"})
    token = sign_in("ola").access_token
    slot = service.free_slots(token, clock.now())[0]
    with pytest.raises(BookingIncomplete) as caught:
        service.book(token, "ola", slot.id)
    assert "ask a staff member" in caught.value.msgid
    assert [a["status"] for a in backend.appointments()] == ["booked", "booked"]


@pytest.mark.parametrize(("status", "code", "taken"), [
    (412, "processing", True),  # a stale If-Match, as Medplum answers it
    (409, "conflict", True),
    (400, "conflict", True),    # servers that answer an edit conflict with 400 or 422
    (422, "conflict", True),
    (400, "invalid", False),    # the server found the Slot invalid: not someone else's booking
    (422, "value", False),
])
def test_only_a_real_conflict_on_the_slot_says_the_time_was_just_taken(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn,
    failing_puts: Callable[..., AppointmentService], status: int, code: str, taken: bool,
) -> None:
    service = failing_puts({"Slot"}, status, outcome(code, "refused"))
    token = sign_in("ola").access_token
    slot = service.free_slots(token, clock.now())[0]
    with pytest.raises(ServiceRejected if not taken else SlotTaken) as caught:
        service.book(token, "ola", slot.id)
    assert isinstance(caught.value, SlotTaken) is taken
    (undone,) = [a for a in backend.appointments() if a["id"] != "appt-1"]
    assert undone["status"] == "cancelled"


# ---- how to meet the doctor: at the office, by video, by phone ---------------------------


def future_free(backend: DemoBackend, clock: ManualClock) -> list[dict]:
    return [s for s in backend.slots() if s["status"] == "free"
            and datetime.fromisoformat(s["start"]) > clock.now()]


def concept(code: str) -> dict:
    return {"coding": [{"system": PARTICIPATION_MODE, "code": code}]}


def extra_slot(backend: DemoBackend, slot_id: str, start: str, **fields: object) -> dict:
    """A free slot the GP office adds, after every seeded one."""
    return backend.put({
        "resourceType": "Slot", "id": slot_id, "schedule": {"reference": "Schedule/gp-office"},
        "status": "free", "start": f"2027-03-01T{start}:00+01:00",
        "end": f"2027-03-01T{start[:3]}20:00+01:00", **fields,
    })


def test_each_mode_lists_only_its_own_free_times(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("kari").access_token
    by_mode = {mode: appointments.free_slots(token, clock.now(), mode) for mode in MODES}
    kinds = {s["id"]: mode_of(s) for s in future_free(backend, clock)}
    for mode, options in by_mode.items():
        assert options, f"the demo service offers no {mode} times"
        assert {kinds[o.id] for o in options} == {mode}
        assert [o.start for o in options] == sorted(o.start for o in options)
    assert sorted(o.id for options in by_mode.values() for o in options) == sorted(kinds)


def test_a_slot_without_service_type_is_at_the_office_and_an_unknown_kind_is_never_offered(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    plain = extra_slot(backend, "plain", "10:00")
    letter = extra_slot(backend, "letter", "11:00", serviceType=[concept("EMAILWRIT")])
    other_system = extra_slot(backend, "gp-visit", "12:00", serviceType=[
        {"coding": [{"system": "http://snomed.info/sct", "code": "394814009"}]}])
    token = sign_in("kari").access_token
    office = {o.id for o in appointments.free_slots(token, clock.now(), "office")}
    assert {plain["id"], other_system["id"]} <= office and letter["id"] not in office
    for mode in ("video", "phone"):
        listed = {o.id for o in appointments.free_slots(token, clock.now(), mode)}
        assert not listed & {plain["id"], letter["id"], other_system["id"]}
    assert letter["id"] in {o.id for o in appointments.free_slots(token, clock.now())}


class IgnoresServiceType:
    """A loopback proxy to the demo backend that drops service-type from searches, like a
    server that does not know the parameter: the client must still list only the right kind."""

    def __init__(self, target: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                kept = "&".join(p for p in query.split("&") if not p.startswith("service-type"))
                answer = requests.get(f"{target}{path}?{kept}", timeout=5,
                                      headers=dict(self.headers.items()))
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()


def test_the_client_checks_the_kind_the_server_sends(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn
) -> None:
    proxy = IgnoresServiceType(backend.base_url)
    try:
        service = AppointmentService(FhirClient(HttpClient(f"{proxy.url}/fhir", timeout_s=5,
                                                           retries=0)))
        token = sign_in("kari").access_token
        assert len(service.free_slots(token, clock.now())) == len(future_free(backend, clock))
        video = service.free_slots(token, clock.now(), "video")
        assert video and {mode_of(s) for s in backend.slots()
                          if s["id"] in {o.id for o in video}} == {"video"}
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()


def test_booking_copies_the_slots_kind_and_my_appointments_say_it(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("ola").access_token
    slot = appointments.free_slots(token, clock.now(), "video")[0]
    appointment_id = appointments.book(token, "ola", slot.id, "video")
    saved = stored(backend, appointment_id)
    (slot_resource,) = [s for s in backend.slots() if s["id"] == slot.id]
    assert saved["serviceType"] == slot_resource["serviceType"]
    assert saved["serviceType"][0]["coding"][0]["code"] == "VIDEOCONF"
    (mine,) = appointments.my_appointments(token, "ola", clock.now())
    assert (mine.id, mine.note) == (appointment_id, "by video")


def test_a_slot_without_a_kind_is_booked_as_at_the_office(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    plain = extra_slot(backend, "plain", "10:00")
    token = sign_in("ola").access_token
    saved = stored(backend, appointments.book(token, "ola", plain["id"], "office"))
    assert saved["serviceType"] == [MODES["office"].concept()]
    assert appointments.appointment(token, saved["id"]).note == "at the GP office"


def test_booking_a_slot_that_changed_kind_changes_nothing(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("ola").access_token
    chosen = appointments.free_slots(token, clock.now(), "phone")[0]
    (slot,) = [s for s in backend.slots() if s["id"] == chosen.id]
    backend.put({**slot, "serviceType": [MODES["video"].concept()]})  # the office changed it
    with pytest.raises(SlotChanged) as caught:
        appointments.book(token, "ola", chosen.id, "phone")
    assert isinstance(caught.value, SlotTaken) and "another time" in caught.value.msgid
    assert len(backend.appointments()) == 1
    assert slot_status(backend, chosen.id) == "free"
    with pytest.raises(ValueError, match="unknown appointment mode"):
        appointments.book(token, "ola", chosen.id, "carrier pigeon")


def test_a_move_offers_and_keeps_the_appointments_kind(
    backend: DemoBackend, clock: ManualClock, appointments: AppointmentService, sign_in: SignIn
) -> None:
    token = sign_in("ola").access_token
    first = appointments.free_slots(token, clock.now(), "phone")[0]
    appointment_id = appointments.book(token, "ola", first.id, "phone")
    offered = appointments.free_slots_for_move(token, appointment_id, clock.now())
    assert offered == appointments.free_slots(token, clock.now(), "phone")
    appointments.move(token, appointment_id, offered[-1].id)
    saved = stored(backend, appointment_id)
    assert saved["slot"] == [{"reference": f"Slot/{offered[-1].id}"}]
    assert mode_of(saved) == "phone"

    office = appointments.free_slots(token, clock.now(), "office")[0]
    with pytest.raises(SlotChanged):
        appointments.move(token, appointment_id, office.id)
    assert stored(backend, appointment_id)["slot"] == saved["slot"]
    assert slot_status(backend, office.id) == "free"


def test_the_demo_service_lets_no_one_change_a_slots_kind(
    backend: DemoBackend, clock: ManualClock, sign_in: SignIn
) -> None:
    slot = future_free(backend, clock)[0]
    changed = {**slot, "serviceType": [MODES["video"].concept()]}
    answer = requests.put(f"{backend.base_url}/fhir/Slot/{slot['id']}", json=changed,
                          headers={"Authorization": f"Bearer {sign_in('kari').access_token}",
                                   "Content-Type": "application/fhir+json"}, timeout=5)
    assert answer.status_code == 422
    assert "serviceType" in answer.text
