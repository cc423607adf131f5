"""Book, move and cancel against the demo backend, each change read back from the server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from kiosk.clock import ManualClock
from kiosk.services.appointments import AppointmentService, BookingIncomplete, SlotTaken
from kiosk.services.demo_backend import DemoBackend
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
        service = AppointmentService(FhirClient(HttpClient(backend.base_url, timeout_s=5)))
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
    new = appointments.free_slots(token, clock.now())[-1]
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


class FailingPuts:
    """A loopback proxy to the demo backend that answers 503 to PUTs on the given types."""

    def __init__(self, target: str, failing: set[str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kind = self.path.split("?")[0].split("/")[2:3]
                if self.command == "PUT" and set(kind) & failing:
                    status, content, headers = 503, b"", {}
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_puts(backend: DemoBackend) -> Iterator[Callable[[set[str]], AppointmentService]]:
    proxies: list[FailingPuts] = []

    def make(failing: set[str]) -> AppointmentService:
        proxy = FailingPuts(backend.base_url, failing)
        proxies.append(proxy)
        return AppointmentService(FhirClient(HttpClient(proxy.url, timeout_s=5, retries=0)))

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
