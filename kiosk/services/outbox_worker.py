"""Sending what the outbox holds: a citizen's submission now, and the rest in the background.

``OutboxSender.submit`` saves a submission durably first, then tries to send it at once with
the citizen's token. The citizen is told the truth: ``Delivered`` ("sent") or ``Queued`` ("saved
on this kiosk, sent when the connection is back"); an ``OutboxError`` when it could not even be
saved; the server's own refusal (``ServiceRejected``) when it said no, and then nothing is kept.

``DeliveryLoop`` is a thread that sends whatever is due with the kiosk's own delivery token,
backing off exponentially (with jitter) while the service is away. What the service refuses in
the background (HTTP 4xx other than 401, 408 and 429) leaves the retry loop: it is set aside,
reported in the log and by ``kiosk doctor`` (counts and status codes only), tried once more each
time the kiosk starts (so a service fixed by its operator receives it), and discarded with
everything else when it reaches the outbox's maximum age. Logs carry counts and kinds only.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from kiosk.clock import Clock, SystemClock
from kiosk.services.delivery_token import DeliveryToken
from kiosk.services.fhir import FhirClient
from kiosk.services.health.submission import Submission, deliver
from kiosk.services.http import ServiceError, ServiceRejected, ServiceTimeout, ServiceUnavailable
from kiosk.services.outbox import Outbox, OutboxError
from translations.catalog import N_

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Delivered:
    """The health service has the submission."""

    submission_id: str
    msgid: ClassVar[str] = N_("Sent. The health service has received it.")


@dataclass(frozen=True)
class Queued:
    """Saved on this kiosk; the delivery loop sends it when the service answers again."""

    submission_id: str
    msgid: ClassVar[str] = N_(
        "What you sent is saved on this kiosk. It will be sent by itself when the connection "
        "to the health service is back. You do not need to do anything more."
    )


SubmitResult = Delivered | Queued


class Verdict(Enum):
    AWAY = "away"
    """Nothing answered, or it is overloaded: try again when the service is back."""
    RETRY = "retry"
    """This attempt failed; this submission is tried again after its own back-off."""
    REFUSED = "refused"
    """The service said no to this submission; sending it again gives the same answer."""


def classify(exc: ServiceError) -> tuple[Verdict, str]:
    """What a failure means for a submission, and a short kind word for logs and the file."""
    if isinstance(exc, ServiceTimeout):
        return Verdict.AWAY, "timeout"
    if isinstance(exc, ServiceUnavailable):
        return Verdict.AWAY, "unavailable"
    if isinstance(exc, ServiceRejected):
        # The OperationOutcome or OAuth code is a word from a fixed vocabulary; the detail text
        # may quote the submission, so it never goes further than the exception itself.
        code = exc.code if exc.code and _CODE.match(exc.code) else None
        kind = f"http-{exc.status}" + (f"-{code}" if code else "")
        if exc.status in (408, 429, 502, 503, 504):
            return Verdict.AWAY, kind
        if exc.status == 401 or exc.status >= 500:
            return Verdict.RETRY, kind
        return Verdict.REFUSED, kind
    return Verdict.RETRY, "bad-response"


class Backoff:
    """Exponential back-off with "equal jitter": attempt n waits between half and all of
    ``min(cap_s, base_s * 2**(n-1))``, so kiosks that lost the service together do not all
    come back at the same moment."""

    def __init__(self, base_s: float = 2.0, cap_s: float = 300.0,
                 rng: random.Random | None = None) -> None:
        self.base_s, self.cap_s = base_s, cap_s
        self._rng = rng or random.Random()

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt - 1, 0), 40))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class PassResult:
    """What one delivery pass did (counts only)."""

    delivered: int = 0
    retrying: int = 0
    refused: int = 0
    away: bool = False
    """The service did not answer (or gave no delivery token): the loop backs off."""
    more: bool = False
    """As many were due as one pass takes: go on at once."""


class OutboxSender:
    """Submits through the outbox and delivers what is due. ``hold_s`` is how long the
    delivery loop keeps away from a submission that ``submit`` is sending right now."""

    def __init__(self, outbox: Outbox, fhir: FhirClient, delivery_token: DeliveryToken, *,
                 backoff: Backoff | None = None, hold_s: float = 60.0) -> None:
        self.outbox = outbox
        self.fhir = fhir
        self.delivery_token = delivery_token
        self.backoff = backoff or Backoff()
        self.hold_s = hold_s

    def submit(self, submission: Submission, token: str) -> SubmitResult:
        """Save durably, then try to send it at once with the citizen's ``token``.

        Raises ``OutboxError`` when it could not be saved (nothing was sent), and the
        ``ServiceRejected`` the service answered when it refused it (then nothing is kept: the
        citizen is told, and what they typed is still in their session). A change to an
        existing resource (``update_id``) is never left for later: it needs the citizen's own
        right to read and change that resource, which the kiosk's delivery identity does not
        have, so when it cannot be sent now its error is raised and nothing is kept.
        """
        item = self.outbox.put(submission, hold_s=self.hold_s)
        try:
            deliver(self.fhir, submission, token)
        except ServiceError as exc:
            verdict, kind = classify(exc)
            if verdict is Verdict.REFUSED or submission.update_id is not None:
                log.warning("outbox: a submission was not sent (%s); the citizen is told and "
                            "it is not kept", kind)
                self._forget(item.id)
                raise
            log.info("outbox: 1 submission saved to send later (%s)", kind)
            try:
                self.outbox.retry_later(item.id, kind, self.backoff.delay(1))
            except OutboxError as error:
                # It is saved; the hold runs out and the loop sends it then.
                log.warning("outbox: could not note the failed attempt (%s)", type(error).__name__)
            return Queued(item.id)
        self._forget(item.id)
        log.info("outbox: 1 submission sent at once")
        return Delivered(item.id)

    def _forget(self, item_id: str) -> None:
        try:
            self.outbox.remove(item_id)
        except OutboxError as exc:
            # Delivery is idempotent: if the row outlives this, sending it again stores nothing.
            log.warning("outbox: could not delete a finished submission (%s)", type(exc).__name__)

    def deliver_due(self, limit: int = 20) -> PassResult:
        """Send what is due with the delivery token, oldest first, until the service is away."""
        items = self.outbox.due(limit)
        counts = {Verdict.RETRY: 0, Verdict.REFUSED: 0}
        delivered = 0
        token: str | None = None
        for item in items:
            try:
                token = token or self.delivery_token.get()
            except ServiceError as exc:
                _, kind = classify(exc)
                log.warning("outbox: no delivery token (%s); submissions wait", kind)
                return self._pass(delivered, counts, away=True)
            try:
                deliver(self.fhir, item.submission, token)
            except ServiceError as exc:
                verdict, kind = classify(exc)
            except Exception as exc:  # a bug must not stop everything else being delivered
                verdict, kind = Verdict.REFUSED, f"error-{type(exc).__name__}"
            else:
                self.outbox.remove(item.id)
                delivered += 1
                continue
            if verdict is Verdict.AWAY:
                self.outbox.retry_later(item.id, kind, 0.0)
                return self._pass(delivered, counts, away=True)
            counts[verdict] += 1
            if verdict is Verdict.REFUSED:
                log.error("outbox: the health service refused a submission (%s); set aside "
                          "until the kiosk restarts or it expires", kind)
                self.outbox.reject(item.id, kind)
                continue
            if kind.startswith("http-401"):
                self.delivery_token.invalidate()
                token = None
            self.outbox.retry_later(item.id, kind, self.backoff.delay(item.attempts + 1))
        return self._pass(delivered, counts, more=len(items) == limit)

    @staticmethod
    def _pass(delivered: int, counts: dict[Verdict, int], *, away: bool = False,
              more: bool = False) -> PassResult:
        if delivered or any(counts.values()):
            log.info("outbox: %d delivered, %d to retry, %d refused", delivered,
                     counts[Verdict.RETRY], counts[Verdict.REFUSED])
        return PassResult(delivered, counts[Verdict.RETRY], counts[Verdict.REFUSED], away, more)


class DeliveryLoop:
    """A daemon thread that delivers the outbox: all of it at start (after a crash or restart
    nothing waits for its back-off), then whatever falls due, at least every ``idle_s``.

    ``sleep(seconds)`` waits and returns False to stop the loop; the default wakes early on
    ``stop()``. Tests pass their own to run without waiting.
    """

    def __init__(self, sender: OutboxSender, *, clock: Clock | None = None,
                 sleep: Callable[[float], bool] | None = None, idle_s: float = 10.0,
                 backoff: Backoff | None = None) -> None:
        self.sender = sender
        self.clock = clock or SystemClock()
        self.idle_s = idle_s
        self.backoff = backoff or sender.backoff
        self._stop = threading.Event()
        self._sleep = sleep or (lambda seconds: not self._stop.wait(seconds))
        self._thread: threading.Thread | None = None
        self._failures = 0

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the delivery loop is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the loop to end and wait for it (an HTTP call in flight ends by its timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        outbox = self.sender.outbox
        try:
            waiting = outbox.release_all()
            if waiting:
                log.info("outbox: %d submission(s) waiting at start", waiting)
        except OutboxError as exc:
            log.error("outbox: cannot be read at start (%s)", type(exc).__name__)
        while not self._stop.is_set():
            wait = self.run_once()
            if self._stop.is_set() or not self._sleep(wait):
                break

    def run_once(self) -> float:
        """One pass: discard what is too old, deliver what is due; returns seconds to wait."""
        outbox = self.sender.outbox
        try:
            outbox.expire()
            result = self.sender.deliver_due()
            next_due = None if result.away or result.more else outbox.next_due_at()
        except OutboxError as exc:
            log.error("outbox: %s", type(exc).__name__)
            result, next_due = PassResult(away=True), None
        except Exception as exc:  # the loop must outlive any single failure
            log.error("outbox: delivery pass failed (%s)", type(exc).__name__)
            result, next_due = PassResult(away=True), None
        if result.away:
            self._failures += 1
            return self.backoff.delay(self._failures)
        self._failures = 0
        if result.more:
            return 0.0
        if next_due is None:
            return self.idle_s
        return min(max(next_due - self.clock.now().timestamp(), 0.0), self.idle_s)
