"""The helper-mode audit log: who turned staff help on and off, and when. Nothing else.

Each line is a JSON object {time, staff, event, prev, hash}; ``hash`` is SHA-256 over the
canonical JSON of the other four fields and ``prev`` is the hash of the line before, so editing,
deleting or reordering lines breaks the chain. Cutting lines off the *end* cannot be seen from
the file alone; ship the log off the kiosk if that matters.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path

from kiosk.clock import Clock

EVENTS = frozenset({"helper_on", "helper_off", "staff_added", "staff_removed", "unlock_failed"})
GENESIS = "0" * 64
_KEYS = ("time", "staff", "event", "prev", "hash")
_TAIL = 4096  # more than one line: a line is time + a 40-character name + two hashes


@dataclass(frozen=True)
class AuditEntry:
    time: str
    """ISO-8601 in UTC, e.g. 2026-12-01T09:00:00Z."""
    staff: str
    """Staff name; empty when nobody is known (a failed unlock)."""
    event: str
    prev: str
    hash: str


def _digest(time: str, staff: str, event: str, prev: str) -> str:
    body = {"time": time, "staff": staff, "event": event, "prev": prev}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _last_hash(fd: int) -> str:
    size = os.fstat(fd).st_size
    if size == 0:
        return GENESIS
    start = max(0, size - _TAIL)
    lines = os.pread(fd, size - start, start).rstrip(b"\n").split(b"\n")
    last = lines[-1]
    try:
        return str(json.loads(last)["hash"])
    except (ValueError, KeyError, TypeError):
        # Keep logging even after the file was damaged; verify() reports the damage.
        return hashlib.sha256(last).hexdigest()


class AuditLog:
    """Append-only, hash-chained record of helper-mode events."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self._clock = clock

    def append(self, staff: str, event: str) -> AuditEntry:
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}; known: {', '.join(sorted(EVENTS))}")
        if len(staff) > 40 or not staff.isprintable():
            raise ValueError("staff must be a staff name (at most 40 printable characters)")
        time = self._clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # The lock keeps the chain whole when the staff command and the kiosk both write.
            fcntl.flock(fd, fcntl.LOCK_EX)
            prev = _last_hash(fd)
            entry = AuditEntry(time, staff, event, prev, _digest(time, staff, event, prev))
            line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

    def entries(self) -> list[AuditEntry]:
        """Every readable line, oldest first (damaged lines are skipped; see verify)."""
        entries = []
        for line in self._lines():
            entry = _parse(line)
            if entry is not None:
                entries.append(entry)
        return entries

    def verify(self) -> bool:
        """True when every line is well-formed and the chain from the first line is unbroken."""
        prev = GENESIS
        for line in self._lines():
            entry = _parse(line)
            if entry is None or entry.prev != prev or entry.event not in EVENTS:
                return False
            if entry.hash != _digest(entry.time, entry.staff, entry.event, entry.prev):
                return False
            prev = entry.hash
        return True

    def _lines(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [line for line in text.split("\n") if line]


def _parse(line: str) -> AuditEntry | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or tuple(sorted(data)) != tuple(sorted(_KEYS)):
        return None
    if not all(isinstance(data[key], str) for key in _KEYS):
        return None
    return AuditEntry(**data)
