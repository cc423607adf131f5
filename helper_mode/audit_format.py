"""The audit log on disk: the events, one line's shape and hash, the files and the head file.

A line is a JSON object {time, staff, event, prev, hash}: ``hash`` is SHA-256 over the canonical
JSON of the other four fields, ``prev`` the hash of the line before (across rotated files too).
The log lives in ``audit.log`` and, once rotated, ``audit.log.1`` (newer) … ``audit.log.N``
(older). ``audit.head`` is rewritten atomically after every line: the hash of the newest line,
how many lines its file has, and the ``prev`` of the oldest line kept, so that lines cut off the
end, or an oldest file removed, show (the chain alone cannot tell).

Writing is in ``audit.py``, checking in ``audit_check.py``; both read the files through here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64
CITIZEN = "citizen"
"""Who a citizen's event names: never the citizen themselves."""

STAFF_EVENTS = {
    "helper_on": "helper mode unlocked",
    "helper_off": "helper mode locked",
    "unlock_failed": "wrong PIN, or tried while locked out (names nobody)",
    "staff_added": "staff member added (kiosk staff add)",
    "staff_removed": "staff member removed (kiosk staff remove)",
}
CITIZEN_EVENTS = {
    "visit_start": "a visit began",
    "visit_end": "the visit ended (done, end, timeout, or the kiosk stopped)",
    "help_called": "the citizen called staff",
    "help_cancelled": "the citizen cancelled the call for staff",
    "proxy_registered": "the citizen made someone their proxy",
    "proxy_withdrawn": "the citizen ended a proxy they had given",
    "consent_given": "the citizen gave a consent",
    "consent_withdrawn": "the citizen withdrew a consent",
}
EVENTS = {**STAFF_EVENTS, **CITIZEN_EVENTS}
"""Every event the log may hold, with what it means to the operator."""

KEYS = ("time", "staff", "event", "prev", "hash")
_ROTATED = re.compile(r"\.(\d+)$")


@dataclass(frozen=True)
class AuditEntry:
    time: str
    """ISO-8601 in UTC, e.g. 2026-12-01T09:00:00Z."""
    staff: str
    """The staff member's name, "citizen" for a citizen's event, empty when nobody is known
    (a wrong PIN)."""
    event: str
    prev: str
    hash: str


@dataclass(frozen=True)
class Head:
    """What the writer last wrote, kept beside the log to show what was cut off it."""

    first: str
    """``prev`` of the oldest line kept (GENESIS until a rotation drops the oldest file)."""
    last: str
    """Hash of the newest line."""
    lines: int
    """Lines in the file that holds the newest line."""


def digest(time: str, staff: str, event: str, prev: str) -> str:
    body = {"time": time, "staff": staff, "event": event, "prev": prev}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse(line: bytes) -> AuditEntry | None:
    """The entry a line holds, or None when it is not one (garbage, half-written, extra keys)."""
    try:
        data = json.loads(line.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(data, dict) or sorted(data) != sorted(KEYS):
        return None
    if not all(isinstance(data[key], str) for key in KEYS):
        return None
    return AuditEntry(**data)


def log_files(path: Path) -> list[Path]:
    """The log's files that exist, oldest first: audit.log.N … audit.log.1, audit.log."""
    rotated = []
    for candidate in path.parent.glob(f"{path.name}.*"):
        match = _ROTATED.fullmatch(candidate.name[len(path.name):])
        if match:
            rotated.append((int(match.group(1)), candidate))
    found = [file for _number, file in sorted(rotated, reverse=True)]
    return [*found, path] if path.exists() else found


def head_path(path: Path) -> Path:
    return path.with_suffix(".head")


def lock_path(path: Path) -> Path:
    return path.with_suffix(".lock")


class HeadUnreadable(Exception):
    """The head file exists but does not hold a head."""


def read_head(path: Path) -> Head | None:
    """The head beside the log at path; None when there is none yet."""
    try:
        data = json.loads(head_path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise HeadUnreadable(str(exc)) from exc
    try:
        return Head(first=str(data["first"]), last=str(data["last"]), lines=int(data["lines"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise HeadUnreadable(f"not a head: {exc}") from exc


def write_head(path: Path, head: Head) -> None:
    """Replace the head atomically: after a power cut it is the old one or the new one."""
    target = head_path(path)
    temporary = target.with_name(target.name + ".tmp")
    body = json.dumps({"first": head.first, "last": head.last, "lines": head.lines})
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, body.encode("utf-8") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    sync_dir(path.parent)


def sync_dir(directory: Path) -> None:
    """Make renames in directory survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def locked(path: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the log's lock: writers exclusively, a check shared. The lock is a file of its own
    because rotation renames audit.log, and a lock on a renamed file guards nothing. A check
    where no writer ever ran (no lock file) runs unlocked rather than create one."""
    target = lock_path(path)
    if exclusive:
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
    else:
        try:
            fd = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            yield
            return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
