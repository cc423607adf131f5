"""Call staff: tell the staff's webhook that someone at this kiosk asks for help, and later that
the call was cancelled or answered.

A notice is about the kiosk, never the citizen: the event, the kiosk's name and place, a random
id that ties an end to its call, the time, and a line of text for a chat service. Notices wait in
memory and one worker thread posts them, trying again with bounded back-off while the webhook is
away, so a call never waits on the network: the kiosk's chime and screen do not depend on it. A
call counts as delivered only when the webhook answered 2xx. Redirects are not followed: the
secret header would go along to wherever they point.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Literal

import requests

from kiosk.clock import Clock, SystemClock
from kiosk.services.outbox_worker import Backoff
from translations.catalog import N_, Localizer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Helselos-Secret"
CALLED, CANCELLED, ANSWERED = "help_called", "help_cancelled", "help_answered"
_TEXTS = {
    CALLED: N_("{where}: someone asks for staff help."),
    CANCELLED: N_("{where}: the call for staff is cancelled."),
    ANSWERED: N_("{where}: a staff member has come."),
}
"""What a chat service shows the staff, in the kiosk's own language."""
_AGAIN = frozenset({408, 425, 429})
"""Refusals worth another try (as is every 5xx); any other answer will not change by waiting."""

CallState = Literal["none", "local", "sending", "retrying", "delivered", "failed"]
"""none: no call. local: called, but only chimed and shown here (no webhook). sending: the
notice waits for its first answer. retrying: no 2xx yet, the worker tries again. delivered: the
webhook answered 2xx. failed: the webhook refused it, or it grew too old to be worth sending."""


@dataclass(frozen=True)
class Webhook:
    """Where calls go, and what they say about this kiosk."""

    url: str
    secret: str
    """Sent as the X-Helselos-Secret header; empty: no header."""
    kiosk_name: str
    kiosk_place: str
    language: str
    """The staff's language, for the notice's text."""
    timeout_s: float = 5.0


@dataclass(eq=False)
class _Notice:
    event: str
    call_id: str
    body: dict[str, str]
    created: float
    """time.monotonic() when it was made: a notice older than max_age_s is dropped."""
    attempts: int = 0
    due: float = 0.0
    then: str | None = None
    """For a call that was ended while in flight: the end to send if the call got through."""


class StaffCall:
    """At most one call at a time. ``on_change(state)`` is called (from the calling thread or
    the worker's) whenever the call's state changes; ``close()`` stops and joins the worker."""

    def __init__(self, webhook: Webhook | None, *, clock: Clock | None = None,
                 backoff: Backoff | None = None, max_age_s: float = 900.0) -> None:
        self.webhook = webhook
        self.on_change: Callable[[CallState], None] | None = None
        self._clock = clock or SystemClock()
        self._backoff = backoff or Backoff(base_s=1.0, cap_s=30.0)
        self._max_age_s = max_age_s
        self._cond = threading.Condition()
        self._queue: deque[_Notice] = deque()
        self._inflight: _Notice | None = None
        self._call: str | None = None
        self._state: CallState = "none"
        self._closed = False
        self._http = requests.Session()
        self._thread: threading.Thread | None = None
        if webhook is not None:
            self._thread = threading.Thread(target=self._run, name="staff-call", daemon=True)
            self._thread.start()

    @property
    def state(self) -> CallState:
        with self._cond:
            return self._state

    def call(self) -> bool:
        """Call staff. False when a call is already going: it is not sent twice."""
        with self._cond:
            if self._state not in ("none", "failed"):
                return False
            self._call = uuid.uuid4().hex
            if self.webhook is None:
                self._state = "local"
            else:
                self._queue.append(self._notice(CALLED, self._call))
                self._state = "sending"
                self._cond.notify_all()
            state = self._state
        self._emit(state)
        return True

    def cancel(self) -> None:
        """The citizen cancelled the call."""
        self._end(CANCELLED)

    def answered(self) -> None:
        """A staff member has come (they unlocked helper mode)."""
        self._end(ANSWERED)

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the worker and wait for it (a post in flight ends by its timeout); what has not
        been sent by then is dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._http.close()

    def _end(self, event: str) -> None:
        with self._cond:
            call = self._call
            if call is None:
                return
            delivered = self._state == "delivered"
            self._call, self._state = None, "none"
            # A call that is still waiting goes unsent, and then there is nothing to end.
            self._queue = deque(n for n in self._queue
                                if not (n.call_id == call and n.event == CALLED))
            if delivered:
                self._queue.append(self._notice(event, call))
            elif self._inflight is not None and self._inflight.call_id == call:
                self._inflight.then = event
            self._cond.notify_all()
        self._emit("none")

    def _notice(self, event: str, call_id: str) -> _Notice:
        hook = self.webhook
        assert hook is not None
        where = ", ".join(p for p in (hook.kiosk_name, hook.kiosk_place) if p)
        body = {
            "event": event,
            "kiosk": hook.kiosk_name,
            "place": hook.kiosk_place,
            "call": call_id,
            "time": self._clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "text": Localizer(hook.language).format(_TEXTS[event], where=where),
        }
        return _Notice(event, call_id, body, created=time.monotonic())

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                failed = self._expire()
                notice = self._due()
                if notice is None and failed is None:
                    self._cond.wait(self._wait())
                    continue
                self._inflight = notice
            self._emit(failed)
            if notice is not None:
                self._emit(self._settle(notice, *self._post(notice)))

    def _expire(self) -> CallState | None:
        """With the lock held: drop notices too old to matter; "failed" if the call's was one."""
        now = time.monotonic()
        old = [n for n in self._queue if now - n.created > self._max_age_s]
        if not old:
            return None
        self._queue = deque(n for n in self._queue if n not in old)
        log.warning("call staff: %d notice(s) dropped unsent after %.0f s", len(old),
                    self._max_age_s)
        if any(n.call_id == self._call and n.event == CALLED for n in old):
            self._state = "failed"
            return self._state
        return None

    def _due(self) -> _Notice | None:
        """With the lock held: the first notice, if it is time to post it."""
        if self._queue and self._queue[0].due <= time.monotonic():
            return self._queue[0]
        return None

    def _wait(self) -> float | None:
        """With the lock held: seconds until the first notice is due or expires; None: until
        woken."""
        if not self._queue:
            return None
        head = self._queue[0]
        now = time.monotonic()
        return max(0.0, min(head.due - now, head.created + self._max_age_s - now))

    def _post(self, notice: _Notice) -> tuple[bool, bool]:
        """(delivered, worth trying again). The URL is never logged: it may hold a token."""
        hook = self.webhook
        assert hook is not None
        headers = {SECRET_HEADER: hook.secret} if hook.secret else {}
        try:
            answer = self._http.post(hook.url, json=notice.body, headers=headers,
                                     timeout=hook.timeout_s, allow_redirects=False)
        except requests.RequestException as exc:
            log.warning("call staff: %s not delivered (%s)", notice.event, type(exc).__name__)
            return False, True
        answer.close()
        if 200 <= answer.status_code < 300:
            log.info("call staff: %s delivered", notice.event)
            return True, False
        log.warning("call staff: the webhook answered %d to %s", answer.status_code,
                    notice.event)
        return False, answer.status_code >= 500 or answer.status_code in _AGAIN

    def _settle(self, notice: _Notice, delivered: bool, again: bool) -> CallState | None:
        """After a post: keep the notice for another try, or let it go; the call's new state
        if it changed."""
        with self._cond:
            self._inflight = None
            waiting = notice in self._queue
            if waiting and not delivered and again:
                notice.attempts += 1
                notice.due = time.monotonic() + self._backoff.delay(notice.attempts)
            elif waiting:
                self._queue.remove(notice)
            if delivered and notice.then is not None:
                self._queue.append(self._notice(notice.then, notice.call_id))
            if not (notice.event == CALLED and notice.call_id == self._call):
                return None
            new: CallState = "delivered" if delivered else "retrying" if again else "failed"
            if new == self._state:
                return None
            self._state = new
            return new

    def _emit(self, state: CallState | None) -> None:
        callback = self.on_change
        if state is None or callback is None:
            return
        try:
            callback(state)
        except Exception:
            log.exception("call staff: state handler failed")
