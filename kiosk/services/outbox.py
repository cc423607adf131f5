"""The durable outbox: every citizen submission is written here before anything is sent.

One SQLite file (WAL, ``synchronous=FULL`` so a power cut loses no committed row, mode 0600)
holds one row per submission that is not yet delivered: its client-generated id (``urn:uuid:``,
``Submission.key``), the resource type, the ``Submission`` as JSON (the resource and the
``If-None-Exist`` query that makes sending it twice harmless), when it was made, how often
sending failed, when to try next, and the kind of the last failure (a word such as
``unavailable`` or ``http-503``; never what the server said). A row is deleted in the transaction
that records its delivery, and ``secure_delete`` plus a WAL checkpoint overwrite what it held.
Rows older than ``max_age_h`` are discarded and only counted. Tokens never come here.

Storage failures (disk full, read-only file system, damaged file) raise an ``OutboxError``, a
``ServiceError`` whose msgid tells the citizen plainly that their submission was NOT saved.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.clock import Clock, SystemClock
from kiosk.services.health.submission import Submission
from kiosk.services.http import ServiceError
from translations.catalog import N_

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""The file never grows past this, so a stuck backend cannot fill the kiosk's disk."""
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 5.0
_SCHEMA = """
CREATE TABLE submission (
    id TEXT PRIMARY KEY,
    resource_type TEXT NOT NULL,
    submission TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    rejected INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX submission_due ON submission (rejected, next_attempt_at);
CREATE TABLE tally (name TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at REAL);
"""
_COLUMNS = "id, submission, created_at, attempts, next_attempt_at, last_error, rejected"


class OutboxError(ServiceError):
    """The outbox could not store or read a submission; ``str()`` says why, for staff."""

    msgid = N_(
        "This could not be sent, and the kiosk could not save it to send later. "
        "Nothing has been sent. Please ask a staff member for help."
    )


class OutboxFull(OutboxError):
    """The disk, or the outbox's own size limit, is full."""


class OutboxReadOnly(OutboxError):
    """The file or its folder cannot be written (read-only file system, permissions)."""


class OutboxCorrupt(OutboxError):
    """The file is not a sound outbox database. It is left as it is for the operator."""


@dataclass(frozen=True)
class OutboxItem:
    """One submission waiting to be delivered."""

    id: str
    """``Submission.key``: a create's client-generated ``urn:uuid:``, or the resource and
    fields a change sets."""
    submission: Submission = field(repr=False)
    created_at: float
    """Wall-clock seconds (Unix time) when it was first saved."""
    attempts: int
    next_attempt_at: float
    last_error: str | None
    rejected: bool
    """The server refused it: out of the retry loop until the kiosk starts again."""


@dataclass(frozen=True)
class OutboxStats:
    """Counts and ages only: what doctor and the logs may say about the outbox."""

    pending: int
    """Submissions in the file (the refused ones included)."""
    rejected: int
    oldest_age_s: float | None
    expired: int
    """Submissions discarded for age since the file was made."""
    last_expired_at: float | None


def _storage_error(exc: BaseException, path: Path) -> OutboxError:
    """The typed error for an OS or SQLite failure; the message holds no submission content."""
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        if exc.errno in (28, 122):  # ENOSPC, EDQUOT
            return OutboxFull(f"outbox {path}: disk full ({reason})")
        if exc.errno in (1, 13, 30):  # EPERM, EACCES, EROFS
            return OutboxReadOnly(f"outbox {path}: cannot write ({reason})")
        return OutboxError(f"outbox {path}: {reason}")
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    name = getattr(exc, "sqlite_errorname", type(exc).__name__)
    if code == sqlite3.SQLITE_FULL:
        return OutboxFull(f"outbox {path}: full ({name})")
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return OutboxReadOnly(f"outbox {path}: cannot write ({name})")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return OutboxCorrupt(f"outbox {path}: the file is damaged ({name}); move it away")
    return OutboxError(f"outbox {path}: {name}")


def _item(row: tuple[Any, ...]) -> OutboxItem:
    """The item of a row; ValueError when the stored submission cannot be read back."""
    return OutboxItem(row[0], Submission.from_json(row[1]), row[2], row[3], row[4], row[5],
                      bool(row[6]))


def _stats(db: sqlite3.Connection, now: float) -> OutboxStats:
    pending, rejected, oldest = db.execute(
        "SELECT count(*), coalesce(sum(rejected), 0), min(created_at) FROM submission"
    ).fetchone()
    tally = db.execute("SELECT count, last_at FROM tally WHERE name = 'expired'").fetchone()
    expired, last = tally if tally else (0, None)
    return OutboxStats(pending, rejected, None if oldest is None else max(now - oldest, 0.0),
                       expired, last)


def _check(db: sqlite3.Connection, path: Path) -> int:
    """The schema version, after SQLite's own consistency check of the file."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise OutboxCorrupt(f"outbox {path}: the file is damaged ({len(problems)} problem(s) "
                            "found by quick_check); move it away")
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise OutboxCorrupt(f"outbox {path}: written by a newer kiosk (schema {version})")
    return version


class Outbox:
    """The outbox file. Thread-safe; opened on first use, so a broken disk cannot stop the kiosk
    from starting: each call raises an ``OutboxError`` instead, and the next call tries again."""

    def __init__(self, path: Path, *, clock: Clock | None = None, max_age_h: float = 72,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.clock = clock or SystemClock()
        self.max_age_s = max_age_h * 3600
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # ---- opening ----------------------------------------------------------------------------

    def _create_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            mode = self.path.stat().st_mode & 0o777
            if mode & 0o077:
                log.warning("outbox file was mode %04o; making it private", mode)
                os.chmod(self.path, 0o600)
            return
        os.close(fd)
        # The new directory entry must survive a power cut as well as the rows written into it.
        parent = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(parent)
        finally:
            os.close(parent)

    def _open(self) -> sqlite3.Connection:
        try:
            self._create_file()
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _storage_error(exc, self.path) from exc
        try:
            if db.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
                raise OutboxReadOnly(f"outbox {self.path}: cannot switch to WAL (read-only?)")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA secure_delete=ON")
            page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
            db.execute(f"PRAGMA max_page_count={max(self.max_bytes // page_size, 16)}")
            if _check(db, self.path) < SCHEMA_VERSION:
                db.execute("BEGIN IMMEDIATE")
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.close()
            raise _storage_error(exc, self.path) from exc
        except OutboxError:
            db.close()
            raise
        return db

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction, committed (and synced) on leaving; typed errors on failure."""
        with self._lock:
            if self._db is None:
                self._db = self._open()
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        log.warning("outbox: rollback failed; reopening the file")
                        self.close()
                if isinstance(exc, sqlite3.Error):
                    error = _storage_error(exc, self.path)
                    if isinstance(error, OutboxCorrupt):
                        self.close()
                    raise error from exc
                raise

    # ---- writing ----------------------------------------------------------------------------

    def put(self, submission: Submission, *, hold_s: float = 0.0) -> OutboxItem:
        """Save a submission durably (committed and synced to disk when this returns).

        ``hold_s`` keeps the delivery loop away from it while the caller tries to send it now.
        Putting the same key again (a retry after a crash, or a newer change to the same
        fields) keeps the row's age and attempts and stores the newer submission.
        """
        key = submission.key
        now = self._now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submission (id, resource_type, submission, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " submission = excluded.submission, rejected = 0,"
                " next_attempt_at = max(next_attempt_at, excluded.next_attempt_at)",
                (key, submission.resource_type, submission.to_json(), now, now + hold_s),
            )
            row = db.execute(f"SELECT {_COLUMNS} FROM submission WHERE id = ?",
                             (key,)).fetchone()
        return _item(row)

    def remove(self, item_id: str) -> bool:
        """Delete a delivered (or refused, with the citizen told) submission; False if gone."""
        with self._transaction() as db:
            gone = db.execute("DELETE FROM submission WHERE id = ?", (item_id,)).rowcount > 0
        self._scrub()
        return gone

    def retry_later(self, item_id: str, error_kind: str, delay_s: float) -> None:
        """Record a failed attempt; the delivery loop tries again after ``delay_s``."""
        with self._transaction() as db:
            db.execute(
                "UPDATE submission SET attempts = attempts + 1, next_attempt_at = ?,"
                " last_error = ? WHERE id = ?", (self._now() + delay_s, error_kind, item_id))

    def reject(self, item_id: str, error_kind: str) -> None:
        """The server refused it: keep it out of the retry loop (it still expires by age)."""
        with self._transaction() as db:
            db.execute("UPDATE submission SET attempts = attempts + 1, rejected = 1,"
                       " last_error = ? WHERE id = ?", (error_kind, item_id))

    def release_all(self) -> int:
        """Make every submission due now, the refused ones too (the kiosk has just started,
        perhaps after the operator fixed the server); returns how many there are."""
        with self._transaction() as db:
            return db.execute("UPDATE submission SET rejected = 0, next_attempt_at = ?",
                              (self._now(),)).rowcount

    def expire(self) -> int:
        """Discard submissions older than the maximum age; only their number is kept."""
        now = self._now()
        with self._transaction() as db:
            count = db.execute("DELETE FROM submission WHERE created_at < ?",
                               (now - self.max_age_s,)).rowcount
            if count:
                db.execute(
                    "INSERT INTO tally (name, count, last_at) VALUES ('expired', ?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET count = count + excluded.count,"
                    " last_at = excluded.last_at", (count, now))
        if count:
            log.warning("outbox: %d expired submission(s) were discarded (older than %g h)",
                        count, self.max_age_s / 3600)
            self._scrub()
        return count

    def _scrub(self) -> None:
        """Empty the WAL into the file and truncate it: with ``secure_delete`` the deleted
        rows are then overwritten everywhere, not left in older WAL frames."""
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.warning("outbox: checkpoint failed (%s)",
                            getattr(exc, "sqlite_errorname", type(exc).__name__))

    # ---- reading ----------------------------------------------------------------------------

    def due(self, limit: int = 20) -> list[OutboxItem]:
        """Submissions to try now, oldest first (refused ones are not due)."""
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM submission WHERE rejected = 0 AND next_attempt_at <= ?"
                " ORDER BY created_at, id LIMIT ?", (self._now(), limit)).fetchall()
        return self._readable(rows)

    def items(self) -> list[OutboxItem]:
        """Every submission in the file, oldest first."""
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM submission ORDER BY created_at, id").fetchall()
        return self._readable(rows)

    def _readable(self, rows: list[tuple[Any, ...]]) -> list[OutboxItem]:
        """Items of rows; a row this kiosk cannot read back is set aside, never retried."""
        items = []
        for row in rows:
            try:
                items.append(_item(row))
            except ValueError:
                log.error("outbox: a stored submission cannot be read back; set aside")
                self.reject(row[0], "unreadable")
        return items

    def next_due_at(self) -> float | None:
        """When the next submission is due (wall-clock seconds), None when nothing waits."""
        with self._transaction(write=False) as db:
            return db.execute("SELECT min(next_attempt_at) FROM submission"
                              " WHERE rejected = 0").fetchone()[0]

    def stats(self) -> OutboxStats:
        with self._transaction(write=False) as db:
            return _stats(db, self._now())


def read_stats(path: Path, *, now: datetime) -> OutboxStats | None:
    """Stats of an outbox file without changing it (for ``kiosk doctor``); None if no file."""
    if not path.exists():
        return None
    # Without a WAL the file holds everything and "immutable" reads it creating nothing (doctor
    # may run as another user, whose new -shm file the kiosk could not open); with a WAL the
    # kiosk is running or stopped hard, and read-only mode reads the WAL's rows as well.
    wal = path.with_name(path.name + "-wal").exists()
    query = "mode=ro" if wal else "immutable=1"
    try:
        db = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise _storage_error(exc, path) from exc
    try:
        if _check(db, path) < SCHEMA_VERSION:
            return OutboxStats(0, 0, None, 0, None)
        return _stats(db, now.timestamp())
    except sqlite3.Error as exc:
        raise _storage_error(exc, path) from exc
    finally:
        db.close()
