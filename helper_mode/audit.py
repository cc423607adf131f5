"""The audit log: who did what at the kiosk, and when; never what, about whom.

It records helper mode (unlock, lock, wrong PINs), staff accounts, calls for staff, and a
citizen's visit start and end and proxy and consent submissions: each by event name, with the
staff member's name or "citizen", never health content, names of citizens or ids.

Append-only, hash-chained JSON lines (the format is in ``audit_format.py``). When audit.log
would grow past ``max_bytes`` it becomes audit.log.1 (and .1 becomes .2 …, the oldest beyond
``keep`` is deleted); the new file's first line chains to the last line of the old one. The
only bytes ever removed from a file are a half-written last line, left by a power cut in the
middle of a write: the next append cuts it off (that event was never recorded) and goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict
from datetime import UTC
from pathlib import Path

from helper_mode import audit_check
from helper_mode.audit_check import AuditReport
from helper_mode.audit_format import (
    CITIZEN,
    CITIZEN_EVENTS,
    EVENTS,
    GENESIS,
    AuditEntry,
    Head,
    HeadUnreadable,
    digest,
    locked,
    log_files,
    parse,
    read_head,
    write_head,
)
from kiosk.clock import Clock

__all__ = ["CITIZEN", "EVENTS", "GENESIS", "AuditEntry", "AuditLog", "AuditReport"]

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
"""About 4,000 lines a file."""
KEEP = 9
"""Rotated files kept besides audit.log: with MAX_BYTES, about 40,000 events in 10 MB."""
_TAIL = 4096
"""Bytes read from a file's end to find its last line: several of the longest line written."""


class AuditLog:
    """Append-only, hash-chained record of helper-mode and visit events, rotated by size."""

    def __init__(self, path: Path, clock: Clock, *, max_bytes: int = MAX_BYTES,
                 keep: int = KEEP) -> None:
        if keep < 1:
            raise ValueError("keep at least one rotated file")
        self.path = path
        self._clock = clock
        self._max_bytes = max_bytes
        self._keep = keep

    def append(self, staff: str, event: str) -> AuditEntry:
        """Write one event; staff is the staff member's name, CITIZEN for a citizen's event."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}; known: {', '.join(sorted(EVENTS))}")
        if len(staff) > 40 or not staff.isprintable():
            raise ValueError("staff must be a staff name (at most 40 printable characters)")
        if event in CITIZEN_EVENTS and staff != CITIZEN:
            raise ValueError(f"{event} is a citizen's event: it names {CITIZEN!r}, nobody else")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with locked(self.path, exclusive=True):
            # The time is taken under the lock, so that it never goes back from line to line.
            time = self._clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self._append_locked(time, staff, event)

    def citizen_event(self, event: str) -> None:
        """Record a citizen's event. A write that fails is logged, not raised: a full or broken
        disk must not end a citizen's visit (the missing event shows as a gap in the times)."""
        try:
            self.append(CITIZEN, event)
        except OSError as exc:
            log.error("audit log: cannot record %s: %s", event, exc.strerror or exc)

    def entries(self) -> list[AuditEntry]:
        """Every readable line of every file, oldest first (damaged lines are skipped; see
        verify)."""
        entries = []
        for file in log_files(self.path):
            for line in file.read_bytes().split(b"\n"):
                entry = parse(line) if line else None
                if entry is not None:
                    entries.append(entry)
        return entries

    def verify(self) -> AuditReport:
        """Check every file against the chain and the head; the report is true when intact."""
        with locked(self.path, exclusive=False):
            return audit_check.verify(self.path)

    def _append_locked(self, time: str, staff: str, event: str) -> AuditEntry:
        try:
            head = read_head(self.path)
        except HeadUnreadable as exc:
            # Go on from the files themselves; verify keeps reporting the damage until then.
            log.error("audit log: the head file is unreadable (%s); rebuilt from the log", exc)
            head = None
        fd = self._open_current()
        try:
            _cut_half_written_line(fd)
            size = os.fstat(fd).st_size
            lines = _count_lines(fd) if head is None else 0
        finally:
            os.close(fd)
        prev = _chain_from(head, self._newest_line())
        if head is None:
            head = Head(first=self._oldest_prev(), last=prev, lines=lines)
        entry = AuditEntry(time, staff, event, prev, digest(time, staff, event, prev))
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        if size > 0 and size + len(line) > self._max_bytes:
            head = self._rotate(head)
        fd = self._open_current()
        try:
            os.write(fd, line)
            os.fsync(fd)
            lines = _count_lines(fd)
        finally:
            os.close(fd)
        # After the line is safely written: a power cut in between leaves the log one line
        # ahead of the head, which both the next append and verify recognise.
        write_head(self.path, Head(first=head.first, last=entry.hash, lines=lines))
        return entry

    def _open_current(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)

    def _newest_line(self) -> bytes | None:
        """The last line of the log: of audit.log, or of the newest rotated file when audit.log
        is still empty after a rotation."""
        for file in reversed(log_files(self.path)):
            with file.open("rb") as handle:
                lines = _tail_lines(handle.fileno())
            if lines:
                return lines[-1]
        return None

    def _oldest_prev(self) -> str:
        """Where the kept chain begins, for a log that has no head yet (written before heads
        were kept, or the head was lost): trusted as found."""
        for file in log_files(self.path):
            with file.open("rb") as handle:
                entry = parse(handle.readline().rstrip(b"\n"))
            if entry is not None:
                return entry.prev
        return GENESIS

    def _rotate(self, head: Head) -> Head:
        """audit.log becomes audit.log.1, .1 becomes .2 …; the oldest beyond keep are deleted.
        Crash safe: the head names where the kept chain will begin before anything is deleted,
        and a rotation cut short (numbers with a gap) is simply renumbered by the next."""
        rotated = log_files(self.path)[-2::-1]  # newest first, audit.log itself left out
        kept, dropped = rotated[:self._keep - 1], rotated[self._keep - 1:]
        if dropped:
            # The kept chain will begin where the newest dropped file ends: at its last entry
            # (the writer chains past a damaged last line to the entry before it).
            with dropped[0].open("rb") as handle:
                ends = [entry for line in _tail_lines(handle.fileno())
                        if (entry := parse(line)) is not None]
            head = Head(first=ends[-1].hash if ends else head.first, last=head.last,
                        lines=head.lines)
            write_head(self.path, head)
        for file in dropped:
            file.unlink()
        # Oldest first, so that no name is taken: the file of rank r has a number >= r.
        for rank, file in reversed(list(enumerate(kept, 1))):
            file.rename(self.path.with_name(f"{self.path.name}.{rank + 1}"))
        self.path.rename(self.path.with_name(f"{self.path.name}.1"))
        return head


def _chain_from(head: Head | None, newest: bytes | None) -> str:
    """The prev for the next line. The head is trusted over the file, so that lines cut off the
    end stay visible as a break in the chain; a line the head does not know yet but which
    follows it was written just before a power cut, and is built on."""
    entry = parse(newest) if newest is not None else None
    if head is None:
        return GENESIS if newest is None else _hash_of(newest)
    if entry is not None and entry.prev == head.last:
        return entry.hash
    return head.last


def _hash_of(line: bytes) -> str:
    entry = parse(line)
    # A damaged line still gets a hash to chain to, so logging goes on; verify reports it.
    return entry.hash if entry is not None else hashlib.sha256(line).hexdigest()


def _tail_lines(fd: int) -> list[bytes]:
    """The last lines of a file (the first of them may be cut), none when it is empty."""
    size = os.fstat(fd).st_size
    start = max(0, size - _TAIL)
    tail = os.pread(fd, size - start, start).rstrip(b"\n")
    return tail.split(b"\n") if tail else []


def _count_lines(fd: int) -> int:
    return os.pread(fd, os.fstat(fd).st_size, 0).count(b"\n")


def _cut_half_written_line(fd: int) -> None:
    """A file that does not end in a newline was cut off mid-write (every write of a line ends
    with one, under the lock): remove that fragment, it was never a whole event."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    start = max(0, size - _TAIL)
    tail = os.pread(fd, size - start, start)
    if tail.endswith(b"\n"):
        return
    cut = tail.rfind(b"\n")
    if cut < 0 and start > 0:
        # Longer than any line the kiosk writes, so not its own: end it, verify reports it.
        os.write(fd, b"\n")
        return
    os.ftruncate(fd, start + cut + 1)
    log.warning("audit log: removed a half-written last line (the kiosk stopped while "
                "writing it)")
