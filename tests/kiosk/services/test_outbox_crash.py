"""Acceptance: kill -9 the submitting kiosk at random points while it submits 200 measurements to
a service that is down about half the time; after restarts every one is there exactly once.

The child (outbox_submitter.py) uses the real outbox, HTTP and FHIR clients. It reaches the
demo service only through a loopback proxy that a seeded schedule takes down and brings back
(connections reset, dropped after the request, or left hanging; open ones are cut, so some
answers are lost after the service stored the measurement). The test SIGKILLs the child at
seeded random moments and starts it again with the measurements it has not yet reported as
saved; the restarted child first delivers what its predecessor left in the outbox.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.demo import DemoBackend
from kiosk.services.fhir import FhirClient
from kiosk.services.health.submission import IDENTIFIER_SYSTEM
from kiosk.services.http import HttpClient
from kiosk.services.outbox import Outbox
from kiosk.services.signin import TokenResponse
from tests.kiosk.services.flaky_proxy import Schedule, flaky_proxy
from tests.kiosk.services.outbox_submitter import submission_id

CHILD = Path(__file__).with_name("outbox_submitter.py")
REPO = Path(__file__).resolve().parents[3]
COUNT = 200
KILLS = 10
SEED = 20261201
LINE_TIMEOUT_S = 20
DRAIN_TIMEOUT_S = 40


class Child:
    """One run of the submitter, its output read line by line on a thread."""

    def __init__(self, config: dict[str, object]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD)], cwd=REPO, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(config) + "\n")
        self.process.stdin.close()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def next_line(self, timeout_s: float) -> str | None:
        """The next line, or None at the end of output; fails the test after timeout_s."""
        try:
            return self.lines.get(timeout=timeout_s)
        except queue.Empty:
            tail = "".join(self.stderr[-15:])
            pytest.fail(f"the submitter said nothing for {timeout_s} s; its log ends:\n{tail}")

    def kill(self) -> bool:
        """SIGKILL if still running; True when it was."""
        alive = self.process.poll() is None
        if alive:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        for reader in self._readers:
            reader.join(timeout=5)
        return alive

    def rest(self) -> list[str]:
        """The lines it wrote that were not read yet (after it ended)."""
        lines = []
        while not self.lines.empty():
            line = self.lines.get_nowait()
            if line is not None:
                lines.append(line)
        return lines


def note_saved(lines: list[str], saved: set[int], results: Counter[str]) -> None:
    for line in lines:
        if line.startswith("saved "):
            _, number, result = line.split()
            saved.add(int(number))
            results[result] += 1


def run_until_killed(child: Child, rng: random.Random, saved: set[int],
                     results: Counter[str]) -> bool:
    """Let the child work until a seeded random moment, then SIGKILL it; True if it was killed
    while running. Every "saved n" line it wrote, up to its death, goes into ``saved``."""
    if rng.random() < 0.25:
        # Anywhere: while it starts, delivers what was left, or submits.
        time.sleep(rng.uniform(0.05, 1.5))
    else:
        wanted, seen = rng.randint(2, 24), 0
        while seen < wanted:
            line = child.next_line(LINE_TIMEOUT_S)
            if line is None or line in ("submitted", "empty"):
                break
            note_saved([line], saved, results)
            seen += line.startswith("saved ")
        time.sleep(rng.uniform(0, 0.08))  # mid-submit, mid-delivery, or between the two
    killed = child.kill()
    note_saved(child.rest(), saved, results)
    return killed


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_kill_minus_nine_while_submitting_loses_nothing_and_stores_nothing_twice(
        backend: DemoBackend, sign_in: Callable[[str], TokenResponse], http: HttpClient,
        tmp_path: Path) -> None:
    token = sign_in("kari").access_token
    outbox_file = tmp_path / "state" / "outbox.sqlite3"
    rng = random.Random(SEED)
    saved: set[int] = set()
    results: Counter[str] = Counter()
    kills = runs = 0
    port = int(backend.base_url.rsplit(":", 1)[1])
    children: list[Child] = []
    try:
        with flaky_proxy(port) as proxy, Schedule(proxy, SEED) as schedule:
            config = {"fhir_base_url": f"{proxy.url}/fhir", "outbox": str(outbox_file),
                      "secret": backend.delivery_secret,
                      "client_id": backend.delivery_client_id, "token": token}

            def start() -> Child:
                todo = [n for n in range(COUNT) if n not in saved]
                children.append(Child({**config, "todo": todo}))
                return children[-1]

            while kills < KILLS and runs < 3 * KILLS:
                runs += 1
                kills += run_until_killed(start(), rng, saved, results)
            last = start()
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while (line := last.next_line(max(deadline - time.monotonic(), 0.1))) != "empty":
                assert line is not None, "".join(last.stderr[-20:])
                note_saved([line], saved, results)
            assert last.process.wait(timeout=10) == 0
            downs = schedule.downs
    finally:
        for child in children:
            child.kill()

    assert kills == KILLS and downs >= 3
    assert saved == set(range(COUNT))
    assert results["Delivered"] and results["Queued"]  # both while up and while down
    ours = {submission_id(n) for n in range(COUNT)}
    stored = Counter(
        i["value"] for o in backend.resources("Observation") for i in o.get("identifier", [])
        if i.get("system") == IDENTIFIER_SYSTEM and i.get("value") in ours
    )
    assert set(stored) == ours and set(stored.values()) == {1}
    fhir = FhirClient(http)
    for n in rng.sample(range(COUNT), 20):
        query = {"identifier": f"{IDENTIFIER_SYSTEM}|{submission_id(n)}"}
        found = fhir.search("Observation", query, token)
        assert len(found) == 1 and found[0]["subject"] == {"reference": "Patient/kari"}
    box = Outbox(outbox_file)
    try:
        assert box.items() == [] and box.stats().pending == 0
    finally:
        box.close()
    on_disk = b"".join(p.read_bytes() for p in outbox_file.parent.iterdir())
    assert b"urn:uuid:" not in on_disk and b"Observation" not in on_disk
    logs = "".join(line for child in children for line in child.stderr)
    assert token not in logs and backend.delivery_secret not in logs and "urn:uuid" not in logs
