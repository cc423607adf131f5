"""The kiosk's submitting side in a process of its own, for the outbox crash test to kill.

It wires the real parts as the kiosk does (Outbox, HttpPool, FhirClient, Discovery,
DeliveryToken, OutboxSender, DeliveryLoop), starts the delivery loop (which first releases
whatever a killed predecessor left), and submits the measurements it is told to, each built by
the real measurement builder under an id fixed by its number, so a resubmission after a kill is
the same submission. Standard input holds one JSON line:
{"fhir_base_url", "outbox", "client_id", "secret", "token", "todo": [numbers]}. Standard output
gets "ready", then "saved <n> <Delivered|Queued>" once submission n is durably saved, then
"submitted", and "empty" when the outbox holds nothing any more; then it exits 0. Everything
the kiosk's modules log goes to standard error, for the test to check it holds nothing personal.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.clock import SystemClock
from kiosk.services.delivery_token import ClientSecret, DeliveryToken
from kiosk.services.discovery import Discovery
from kiosk.services.fhir import FhirClient
from kiosk.services.health import measurements
from kiosk.services.health.submission import IDENTIFIER_SYSTEM, Submission
from kiosk.services.http import HttpPool
from kiosk.services.outbox import Outbox
from kiosk.services.outbox_worker import Backoff, DeliveryLoop, OutboxSender

NAMESPACE = uuid.UUID("6f0c3d4e-2b1a-4c5d-9e8f-7a6b5c4d3e2f")
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PATIENT = "kari"
DRAIN_LIMIT_S = 120


def submission_id(number: int) -> str:
    return uuid.uuid5(NAMESPACE, f"measurement-{number}").urn


def measurement(number: int) -> Submission:
    """Pulse for even numbers, weight for odd ones, under the id fixed by the number."""
    if number % 2 == 0:
        kind, value = measurements.kinds()["pulse"], 50 + number % 60
    else:
        kind, value = measurements.kinds()["weight"], 60 + number % 40
    built = measurements.measurement(kind, {kind.readings[0].key: value}, PATIENT,
                                     START + timedelta(minutes=number))
    resource: dict[str, Any] = dict(built.resource)
    fixed = {"system": IDENTIFIER_SYSTEM, "value": submission_id(number)}
    resource["identifier"] = [fixed]
    return Submission("Observation", resource, f"identifier={IDENTIFIER_SYSTEM}|{fixed['value']}")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    config = json.loads(sys.stdin.readline())
    clock = SystemClock()
    pool = HttpPool(timeout_s=1.0, retries=0)
    discovery = Discovery(pool, config["fhir_base_url"])
    outbox = Outbox(Path(config["outbox"]), clock=clock)
    sender = OutboxSender(
        outbox, FhirClient(pool.at(config["fhir_base_url"])),
        DeliveryToken(discovery, config["client_id"], ClientSecret(config["secret"]),
                      clock=clock),
        backoff=Backoff(base_s=0.05, cap_s=0.4), hold_s=5.0,
    )
    loop = DeliveryLoop(sender, clock=clock, idle_s=0.2)
    loop.start()
    say("ready")
    for number in config["todo"]:
        result = sender.submit(measurement(number), config["token"])
        say(f"saved {number} {type(result).__name__}")
    say("submitted")
    deadline = time.monotonic() + DRAIN_LIMIT_S
    while outbox.stats().pending and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop()
    empty = outbox.stats().pending == 0
    outbox.close()
    pool.close()
    if empty:
        say("empty")
    return 0 if empty else 1


if __name__ == "__main__":
    sys.exit(main())
