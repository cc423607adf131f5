"""Calling staff against a real webhook on 127.0.0.1: what is posted (the kiosk, never the
citizen, with the secret header), retries while the webhook is away, cancel and answer, refusals
and old notices, and the worker's end. Every wait is bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helper_mode.call_staff import SECRET_HEADER, CallState, StaffCall, Webhook
from kiosk.clock import ManualClock
from kiosk.config import ConfigError, Settings
from kiosk.runtime import staff_webhook
from kiosk.services.outbox_worker import Backoff
from tests.webhook_server import WebhookServer

SECRET = "kiosk-7-secret"
FAST = Backoff(base_s=0.05, cap_s=0.2)
"""Retries a few times a second, so a webhook that comes back is found at once."""


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


class Calls:
    """A StaffCall against the test webhook, recording every state it reports."""

    def __init__(self, server: WebhookServer, backoff: Backoff = FAST,
                 max_age_s: float = 900.0) -> None:
        hook = Webhook(server.url, SECRET, "Deichman Grünerløkka", "2nd floor, by the lifts",
                       "nb", timeout_s=2.0)
        self.states: list[CallState] = []
        self._changed = threading.Condition()
        self.staff = StaffCall(hook, clock=ManualClock(), backoff=backoff, max_age_s=max_age_s)
        self.staff.on_change = self._record

    def _record(self, state: CallState) -> None:
        with self._changed:
            self.states.append(state)
            self._changed.notify_all()

    def wait_state(self, state: CallState, timeout_s: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.staff.state == state, timeout_s):
                raise AssertionError(f"the call never became {state}: {self.states}")


@pytest.fixture
def calls(webhook: WebhookServer) -> Iterator[Callable[..., Calls]]:
    made: list[Calls] = []

    def make(**options: Any) -> Calls:
        made.append(Calls(webhook, **options))
        return made[-1]

    yield make
    for call in made:
        call.staff.close()


def test_a_call_posts_the_kiosk_with_the_secret_and_nothing_else(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.start()
    call = calls()
    assert call.staff.call()
    call.wait_state("delivered")
    [body] = webhook.wait_for(1)
    headers = webhook.posts[0][0]
    assert headers[SECRET_HEADER] == SECRET
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"event", "kiosk", "place", "call", "time", "text"}
    assert body["event"] == "help_called"
    assert body["kiosk"] == "Deichman Grünerløkka"
    assert body["place"] == "2nd floor, by the lifts"
    assert body["time"] == "2026-12-01T09:00:00Z"
    assert len(body["call"]) == 32 and int(body["call"], 16) >= 0  # random, names nobody
    assert body["text"] == "Deichman Grünerløkka, 2nd floor, by the lifts: noen ber om hjelp " \
                           "fra en ansatt."
    assert call.states == ["sending", "delivered"]
    # Asking again while the call is going sends nothing more.
    assert not call.staff.call()
    time.sleep(0.3)
    assert len(webhook.posts) == 1


def test_the_call_is_retried_while_the_webhook_is_away_and_then_delivered(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    call = calls()
    call.staff.call()
    call.wait_state("retrying")
    time.sleep(0.3)  # a few more tries against the closed port
    webhook.start()
    call.wait_state("delivered")
    [body] = webhook.wait_for(1)
    assert body["event"] == "help_called"
    assert call.states == ["sending", "retrying", "delivered"]


def test_a_webhook_failing_with_503_is_tried_again(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.status = 503
    webhook.start()
    call = calls()
    call.staff.call()
    webhook.wait_for(2)
    assert call.staff.state == "retrying"
    webhook.status = 204
    call.wait_state("delivered")
    bodies = webhook.wait_for(3)
    assert len({body["call"] for body in bodies}) == 1


def test_cancelling_a_call_not_sent_yet_sends_nothing(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    call = calls()
    call.staff.call()
    call.wait_state("retrying")
    call.staff.cancel()
    assert call.staff.state == "none"
    webhook.start()
    time.sleep(0.6)  # many back-off periods: anything still waiting would have been sent
    assert webhook.posts == []


def test_cancelling_a_delivered_call_tells_the_staff(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.start()
    call = calls()
    call.staff.call()
    call.wait_state("delivered")
    call.staff.cancel()
    assert call.states[-1] == "none"
    called, cancelled = webhook.wait_for(2)
    assert cancelled["event"] == "help_cancelled"
    assert cancelled["call"] == called["call"]
    assert cancelled["text"].endswith("anropet til de ansatte er avbrutt.")
    # A new call is a new one.
    assert call.staff.call()
    assert webhook.wait_for(3)[2]["call"] != called["call"]


def test_a_staff_member_who_came_answers_the_call(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.start()
    call = calls()
    call.staff.call()
    call.wait_state("delivered")
    call.staff.answered()
    assert [body["event"] for body in webhook.wait_for(2)] == ["help_called", "help_answered"]


def test_a_refused_call_fails_at_once_and_may_be_made_again(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.status = 401  # a wrong secret does not get better by trying again
    webhook.start()
    call = calls()
    call.staff.call()
    call.wait_state("failed")
    time.sleep(0.3)
    assert len(webhook.posts) == 1
    assert call.staff.call()
    webhook.wait_for(2)


def test_a_redirect_is_not_followed(
    webhook: WebhookServer, calls: Callable[..., Calls]
) -> None:
    webhook.status = 307  # it would take the secret header along to wherever it points
    webhook.start()
    call = calls()
    call.staff.call()
    call.wait_state("failed")
    assert len(webhook.posts) == 1


def test_a_call_that_never_got_through_is_given_up_when_too_old(
    calls: Callable[..., Calls]
) -> None:
    call = calls(max_age_s=0.4)
    call.staff.call()
    call.wait_state("failed", timeout_s=5)
    assert "retrying" in call.states


def test_close_stops_the_worker_while_it_retries(calls: Callable[..., Calls]) -> None:
    call = calls(backoff=Backoff(base_s=60, cap_s=60))
    call.staff.call()
    call.wait_state("retrying")
    worker = call.staff._thread
    assert worker is not None
    started = time.monotonic()
    call.staff.close()
    assert time.monotonic() - started < 2
    assert not worker.is_alive()


def test_without_a_webhook_a_call_is_local_only() -> None:
    staff = StaffCall(None)
    states: list[CallState] = []
    staff.on_change = states.append
    assert staff.call()
    assert staff.state == "local"
    staff.cancel()
    assert states == ["local", "none"]
    assert staff._thread is None
    staff.close()


def test_the_webhook_comes_from_the_settings_with_its_secret_file(tmp_path: Path) -> None:
    assert staff_webhook(Settings(state_dir=tmp_path)) is None
    secret = tmp_path / "webhook-secret"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    hook = staff_webhook(Settings(state_dir=tmp_path, help_webhook_url="https://chat.example/h",
                                  help_webhook_secret_file=secret, kiosk_place="By the door"))
    assert hook is not None
    assert (hook.url, hook.secret, hook.kiosk_place) == ("https://chat.example/h", SECRET,
                                                         "By the door")
    secret.write_text("two\nlines", encoding="utf-8")
    with pytest.raises(ConfigError, match="help_webhook_secret_file"):
        staff_webhook(Settings(state_dir=tmp_path, help_webhook_url="https://chat.example/h",
                               help_webhook_secret_file=secret))
    with pytest.raises(ConfigError, match="set help_webhook_url too"):
        Settings(state_dir=tmp_path, help_webhook_secret_file=secret)
    with pytest.raises(ConfigError, match="help_webhook_url"):
        Settings(state_dir=tmp_path, help_webhook_url="chat.example/h")
