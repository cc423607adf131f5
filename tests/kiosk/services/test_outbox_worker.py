"""Submitting and delivering through the outbox, against the real demo service on 127.0.0.1.

The service "going away" is a loopback proxy in front of it that the test takes down (new
connections are reset) and brings back. Time is a ManualClock that the tests move.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient, ResourceInvalid
from kiosk.services.health import consent, submission
from kiosk.services.health.submission import IDENTIFIER_SYSTEM, Submission
from kiosk.services.http import (
    BadResponse,
    HttpClient,
    HttpPool,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
)
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import (
    Backoff,
    Delivered,
    DeliveryLoop,
    OutboxSender,
    Queued,
    Verdict,
    classify,
)
from kiosk.services.signin import TokenResponse
from tests.kiosk.services.delivery_kit import demo_delivery_token
from tests.kiosk.services.flaky_proxy import FlakyProxy, flaky_proxy

CANARY = "Canary-Ingrid-Kvist-4417"
SENT = "Sent. The health service has received it."
SAVED = ("What you sent is saved on this kiosk. It will be sent by itself when the connection "
         "to the health service is back. You do not need to do anything more.")


def observation(note: str = CANARY, value: int = 71, *, valid: bool = True) -> Submission:
    resource = {
        "status": "final", "subject": {"reference": "Patient/kari"},
        "valueQuantity": {"value": value, "unit": "beats/minute",
                          "system": "http://unitsofmeasure.org", "code": "/min"},
        "note": [{"text": note}],
    }
    if valid:
        resource["code"] = {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}
    return submission.create("Observation", resource)


@pytest.fixture
def proxy(backend: DemoBackend) -> Iterator[FlakyProxy]:
    port = int(backend.base_url.rsplit(":", 1)[1])
    with flaky_proxy(port) as running:
        yield running


@pytest.fixture
def token(sign_in: Callable[[str], TokenResponse]) -> str:
    return sign_in("kari").access_token


@pytest.fixture
def outbox(tmp_path: Path, clock: ManualClock) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "state" / "outbox.sqlite3", clock=clock)
    yield box
    box.close()


@pytest.fixture
def pool() -> Iterator[HttpPool]:
    made = HttpPool(timeout_s=5, retries=0)
    yield made
    made.close()


@pytest.fixture
def make_sender(outbox: Outbox, proxy: FlakyProxy, backend: DemoBackend,
                clock: ManualClock) -> Iterator[Callable[..., OutboxSender]]:
    """Senders that reach the service through the proxy, as the kiosk would."""
    pools: list[HttpPool] = []
    through_proxy = f"{proxy.url}/fhir"

    def make(secret: str | None = None, timeout_s: float = 2) -> OutboxSender:
        pools.append(HttpPool(timeout_s=timeout_s, retries=0))
        delivery = demo_delivery_token(pools[-1], backend, through_proxy, secret=secret,
                                       clock=clock)
        return OutboxSender(outbox, FhirClient(pools[-1].at(through_proxy)), delivery,
                            backoff=Backoff(base_s=2, cap_s=60, rng=random.Random(3)))

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def sender(make_sender: Callable[..., OutboxSender]) -> OutboxSender:
    return make_sender()


def on_server(http: HttpClient, token: str, sub: Submission) -> list[dict]:
    """The Observations the server holds under this submission's identifier."""
    return FhirClient(http).search(
        "Observation", {"identifier": f"{IDENTIFIER_SYSTEM}|{sub.key}"}, token)


def test_a_submission_the_service_takes_at_once_is_sent_and_not_kept(
        sender: OutboxSender, outbox: Outbox, http: HttpClient, token: str,
        tmp_path: Path) -> None:
    sub = observation()
    result = sender.submit(sub, token)
    assert result == Delivered(sub.key) and result.msgid == SENT
    assert outbox.stats().pending == 0
    (stored,) = on_server(http, token, sub)
    assert stored["note"] == [{"text": CANARY}]
    files = (tmp_path / "state").glob("outbox.sqlite3*")
    assert all(CANARY.encode() not in f.read_bytes() for f in files)


def test_while_the_service_is_away_it_is_saved_and_the_loop_sends_it_later(
        sender: OutboxSender, outbox: Outbox, proxy: FlakyProxy, http: HttpClient,
        token: str, clock: ManualClock) -> None:
    proxy.set(up=False, mode="reset")
    sub = observation()
    result = sender.submit(sub, token)
    assert result == Queued(sub.key) and result.msgid == SAVED
    (item,) = outbox.items()
    assert (item.attempts, item.last_error) == (1, "unavailable")
    assert outbox.due() == []  # its own back-off first
    loop = DeliveryLoop(sender, clock=clock)
    clock.advance(2)
    assert loop.run_once() > 0  # still away (not even a delivery token): back off
    assert outbox.stats().pending == 1
    proxy.set(up=True)
    loop.run_once()
    assert outbox.stats().pending == 0
    assert len(on_server(http, token, sub)) == 1


def test_an_answer_lost_after_the_service_stored_it_is_not_stored_twice(
        sender: OutboxSender, outbox: Outbox, http: HttpClient, token: str) -> None:
    sub = observation()
    submission.deliver(FhirClient(http), sub, token)  # stored; the kiosk never heard back
    outbox.put(sub)
    result = sender.deliver_due()
    assert (result.delivered, result.retrying, result.refused) == (1, 0, 0)
    assert outbox.stats().pending == 0
    assert sender.submit(sub, token) == Delivered(sub.key)
    assert len(on_server(http, token, sub)) == 1


def test_a_submission_the_service_refuses_is_told_to_the_citizen_and_not_kept(
        sender: OutboxSender, outbox: Outbox, caplog: pytest.LogCaptureFixture,
        token: str) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ResourceInvalid) as raised:
        sender.submit(observation(valid=False), token)
    assert raised.value.status == 400 and raised.value.msgid
    assert outbox.stats().pending == 0
    assert "a submission was not sent (http-400" in caplog.text
    assert CANARY not in caplog.text and token not in caplog.text


def test_a_submission_refused_later_is_set_aside_reported_and_tried_at_next_start(
        sender: OutboxSender, outbox: Outbox, caplog: pytest.LogCaptureFixture,
        clock: ManualClock) -> None:
    caplog.set_level(logging.DEBUG)
    bad, good = observation(valid=False), observation(note="fine")
    outbox.put(bad)
    clock.advance(1)
    outbox.put(good)
    result = sender.deliver_due()
    assert (result.delivered, result.refused, result.away) == (1, 1, False)
    (item,) = outbox.items()
    assert item.id == bad.key and item.rejected and item.last_error.startswith("http-400")
    assert outbox.due() == [] and outbox.stats().rejected == 1
    assert "refused a submission (http-400" in caplog.text and CANARY not in caplog.text

    assert outbox.release_all() == 1  # what DeliveryLoop does when the kiosk starts
    assert sender.deliver_due().refused == 1
    assert outbox.stats().rejected == 1


def test_a_change_that_cannot_be_sent_now_is_not_kept_for_later(
        sender: OutboxSender, outbox: Outbox, proxy: FlakyProxy, http: HttpClient,
        token: str, clock: ManualClock) -> None:
    given = consent.give(consent.topics()["research"], "kari", clock.now())
    stored = submission.deliver(FhirClient(http), given, token)
    withdraw = consent.withdraw(stored["id"])
    proxy.set(up=False, mode="reset")
    with pytest.raises(ServiceUnavailable):
        sender.submit(withdraw, token)
    assert outbox.stats().pending == 0
    proxy.set(up=True)
    assert sender.submit(withdraw, token) == Delivered(withdraw.key)
    assert FhirClient(http).read("Consent", stored["id"], token)["status"] == "inactive"
    assert outbox.stats().pending == 0


def test_an_expired_session_is_queued_and_the_kiosk_token_delivers_it(
        sender: OutboxSender, outbox: Outbox, http: HttpClient, token: str,
        clock: ManualClock) -> None:
    sub = observation()
    assert sender.submit(sub, "no-longer-valid") == Queued(sub.key)
    assert outbox.items()[0].last_error == "http-401-login"
    clock.advance(60)
    assert sender.deliver_due().delivered == 1
    assert len(on_server(http, token, sub)) == 1


def test_a_refused_delivery_secret_keeps_everything_waiting(
        make_sender: Callable[..., OutboxSender], outbox: Outbox,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sender = make_sender(secret="wrong")
    outbox.put(observation())
    result = sender.deliver_due()
    assert result.away and result.delivered == 0
    (item,) = outbox.items()
    assert (item.attempts, item.rejected) == (0, False)
    assert "no delivery token (http-401-invalid_client)" in caplog.text
    assert "wrong" not in caplog.text


def test_the_delivery_token_is_kept_renewed_and_dropped_on_request(
        pool: HttpPool, backend: DemoBackend, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    delivery = demo_delivery_token(pool, backend, clock=clock)
    first = delivery.get()
    assert delivery.get() == first
    clock.advance(900 - 31)
    assert delivery.get() == first
    clock.advance(2)  # within the last 30 s of its life
    second = delivery.get()
    assert second != first
    delivery.invalidate()
    assert delivery.get() not in (first, second)
    assert first not in caplog.text and backend.delivery_secret not in caplog.text
    assert backend.delivery_secret not in repr(delivery)


def test_the_loop_sends_at_start_what_a_killed_kiosk_left_behind(
        sender: OutboxSender, outbox: Outbox, http: HttpClient, token: str,
        clock: ManualClock) -> None:
    left = [observation(value=60 + n) for n in range(5)]
    for sub in left:
        outbox.put(sub, hold_s=3600)  # it died while sending these at once
    outbox.reject(left[0].key, "http-503")
    loop = DeliveryLoop(sender, clock=clock, idle_s=0.05)
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while outbox.stats().pending and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loop.stop()
    assert not loop.running
    assert outbox.stats().pending == 0
    assert all(len(on_server(http, token, sub)) == 1 for sub in left)


def test_the_loop_backs_off_while_away_and_resumes_when_back(
        sender: OutboxSender, outbox: Outbox, proxy: FlakyProxy, clock: ManualClock) -> None:
    proxy.set(up=False, mode="reset")
    outbox.put(observation())
    waits: list[float] = []
    back = threading.Event()

    def sleep(seconds: float) -> bool:
        waits.append(seconds)
        clock.advance(seconds)
        if len(waits) == 6:
            proxy.set(up=True)
        if outbox.stats().pending == 0:
            back.set()
            return False
        return len(waits) < 20

    backoff = Backoff(base_s=1, cap_s=8, rng=random.Random(5))
    loop = DeliveryLoop(sender, clock=clock, sleep=sleep, idle_s=30, backoff=backoff)
    loop.start()
    assert back.wait(10)
    loop.stop()
    for n, wait in enumerate(waits[:6], start=1):
        ceiling = min(8, 2 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert len(waits) == 7 and waits[-1] == 30  # delivered: nothing left to wait for


def test_a_service_that_never_answers_is_away_too(
        make_sender: Callable[..., OutboxSender], outbox: Outbox, proxy: FlakyProxy,
        token: str) -> None:
    sender = make_sender(timeout_s=0.3)
    proxy.set(up=False, mode="hang")
    sub = observation()
    assert sender.submit(sub, token) == Queued(sub.key)
    assert outbox.items()[0].last_error == "timeout"


def test_no_token_or_content_reaches_the_log(
        sender: OutboxSender, outbox: Outbox, proxy: FlakyProxy, token: str,
        backend: DemoBackend, caplog: pytest.LogCaptureFixture, clock: ManualClock) -> None:
    caplog.set_level(logging.DEBUG)
    subs = [observation(), observation(value=72)]
    sender.submit(subs[0], token)
    proxy.set(up=False, mode="drop")
    sender.submit(subs[1], token)
    proxy.set(up=True)
    clock.advance(60)
    DeliveryLoop(sender, clock=clock).run_once()
    assert outbox.stats().pending == 0
    text = caplog.text
    for secret in (CANARY, token, backend.delivery_secret, subs[0].key, subs[1].key, "kari"):
        assert secret not in text


@pytest.mark.parametrize(("error", "verdict", "kind"), [
    (ServiceUnavailable("x"), Verdict.AWAY, "unavailable"),
    (ServiceTimeout("x"), Verdict.AWAY, "timeout"),
    (ServiceRejected(503, "busy"), Verdict.AWAY, "http-503"),
    (ServiceRejected(429, "slow"), Verdict.AWAY, "http-429"),
    (ServiceRejected(500, "oops", code="exception"), Verdict.RETRY, "http-500-exception"),
    (ServiceRejected(401, "who", code="login"), Verdict.RETRY, "http-401-login"),
    (BadResponse("x"), Verdict.RETRY, "bad-response"),
    (ServiceRejected(400, "Kari's pulse", code="required"), Verdict.REFUSED, "http-400-required"),
    (ServiceRejected(403, "no", code="Forbidden Kari"), Verdict.REFUSED, "http-403"),
    (ServiceRejected(409, "taken"), Verdict.REFUSED, "http-409"),
])
def test_failures_are_classified_with_a_kind_free_of_content(
        error: Exception, verdict: Verdict, kind: str) -> None:
    assert classify(error) == (verdict, kind)  # type: ignore[arg-type]


def test_backoff_grows_exponentially_with_jitter_up_to_its_cap() -> None:
    backoff = Backoff(base_s=2, cap_s=60, rng=random.Random(1))
    for attempt in range(1, 12):
        ceiling = min(60, 2 * 2 ** (attempt - 1))
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
    assert 30 <= backoff.delay(10_000) <= 60
