"""The outbox file itself: a real SQLite file in tmp_path, reopened, filled, damaged, locked.

"Disk full" is the outbox's own size cap (``max_bytes``, SQLite's ``max_page_count``), the same
error SQLite gives on a full disk. "Read-only" is a file or folder the kiosk user may not write;
as root, which ignores file modes, those blocks run with the effective uid of ``nobody``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.config import Settings
from kiosk.doctor import FAIL, OK, WARN, check_outbox
from kiosk.services.health import submission
from kiosk.services.health.submission import Submission
from kiosk.services.http import ServiceError
from kiosk.services.outbox import (
    Outbox,
    OutboxCorrupt,
    OutboxError,
    OutboxFull,
    OutboxReadOnly,
    read_stats,
)
from tests.privileges import NOBODY, shared_folder, unprivileged

CANARY = "Canary-Ingrid-Kvist-4417"
NOT_SAVED = ("This could not be sent, and the kiosk could not save it to send later. "
             "Nothing has been sent. Please ask a staff member for help.")


def observation(note: str = CANARY, value: int = 71) -> Submission:
    return submission.create("Observation", {
        "status": "final", "subject": {"reference": "Patient/kari"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "valueQuantity": {"value": value, "unit": "beats/minute",
                          "system": "http://unitsofmeasure.org", "code": "/min"},
        "note": [{"text": note}],
    })


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "outbox.sqlite3"


@pytest.fixture
def outbox(path: Path, clock: ManualClock) -> Iterator[Outbox]:
    box = Outbox(path, clock=clock, max_age_h=72)
    yield box
    box.close()


def on_disk(path: Path) -> bytes:
    """Every byte the outbox has on disk: the file, its WAL and its shared-memory index."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    with shared_folder("helselos-outbox-") as top:
        yield top


def give_away(*paths: Path) -> None:
    """Hand files to the unprivileged user (as root) so only their mode bits protect them."""
    if os.geteuid() == 0:
        for p in paths:
            os.chown(p, NOBODY, NOBODY)


def test_a_saved_submission_is_durable_private_and_complete(outbox: Outbox, path: Path,
                                                            clock: ManualClock) -> None:
    sent = observation()
    item = outbox.put(sent)
    assert item.id == sent.key and item.id.startswith("urn:uuid:")
    assert item.submission == sent and item.attempts == 0 and not item.rejected
    assert item.created_at == clock.now().timestamp()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["outbox.sqlite3", "outbox.sqlite3-shm",
                                       "outbox.sqlite3-wal"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        (row,) = db.execute("SELECT id, resource_type, submission FROM submission").fetchall()
    finally:
        db.close()
    assert row[0] == sent.key and row[1] == "Observation"
    assert Submission.from_json(row[2]) == sent
    assert sent.if_none_exist == f"identifier=urn:ietf:rfc:3986|{sent.key}"
    assert sent.if_none_exist in row[2]


def test_an_existing_file_with_loose_mode_is_made_private(path: Path, clock: ManualClock) -> None:
    path.parent.mkdir(mode=0o700)
    path.touch(mode=0o644)
    path.chmod(0o644)
    box = Outbox(path, clock=clock)
    box.put(observation())
    box.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reopening_keeps_what_was_not_delivered(path: Path, clock: ManualClock) -> None:
    first = Outbox(path, clock=clock)
    kept, delivered, refused = observation(value=60), observation(value=61), observation(value=62)
    for sub in (kept, delivered, refused):
        first.put(sub)
        clock.advance(1)
    first.retry_later(kept.key, "unavailable", 30)
    first.reject(refused.key, "http-422-invalid")
    assert first.remove(delivered.key)
    assert not first.remove(delivered.key)
    first.close()

    again = Outbox(path, clock=clock)
    try:
        items = again.items()
        assert [i.submission for i in items] == [kept, refused]
        assert (items[0].attempts, items[0].last_error, items[0].rejected) == (1, "unavailable",
                                                                               False)
        assert (items[1].last_error, items[1].rejected) == ("http-422-invalid", True)
        assert again.stats().pending == 2 and again.stats().rejected == 1
    finally:
        again.close()


def test_putting_the_same_submission_again_keeps_one_row(outbox: Outbox,
                                                         clock: ManualClock) -> None:
    sent = observation()
    first = outbox.put(sent)
    clock.advance(5)
    again = outbox.put(sent)
    assert again.id == first.id and again.created_at == first.created_at
    assert outbox.stats().pending == 1


def test_due_follows_the_hold_and_the_back_off(outbox: Outbox, clock: ManualClock) -> None:
    held = observation(value=80)
    outbox.put(held, hold_s=60)
    assert outbox.due() == []
    assert outbox.next_due_at() == clock.now().timestamp() + 60
    clock.advance(61)
    assert [i.id for i in outbox.due()] == [held.key]
    outbox.retry_later(held.key, "timeout", 30)
    assert outbox.due() == []
    clock.advance(30)
    (item,) = outbox.due()
    assert (item.attempts, item.last_error) == (1, "timeout")


def test_due_is_oldest_first_and_bounded(outbox: Outbox, clock: ManualClock) -> None:
    subs = [observation(value=50 + n) for n in range(5)]
    for sub in subs:
        outbox.put(sub)
        clock.advance(1)
    assert [i.submission for i in outbox.due(limit=3)] == subs[:3]


def test_a_refused_submission_leaves_the_loop_until_released(outbox: Outbox) -> None:
    refused, other = observation(value=90), observation(value=91)
    outbox.put(refused)
    outbox.put(other)
    outbox.reject(refused.key, "http-400-required")
    assert [i.id for i in outbox.due()] == [other.key]
    assert outbox.release_all() == 2
    assert {i.id for i in outbox.due()} == {refused.key, other.key}
    assert outbox.stats().rejected == 0


def test_submissions_past_the_maximum_age_are_discarded_and_counted(
        outbox: Outbox, clock: ManualClock, caplog: pytest.LogCaptureFixture, path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    old, young = observation(value=70), observation(note="young")
    outbox.put(old)
    clock.advance(2 * 3600)
    outbox.put(young)
    clock.advance(70 * 3600)
    assert outbox.expire() == 0
    clock.advance(1)
    assert outbox.expire() == 1
    assert [i.id for i in outbox.items()] == [young.key]
    stats = outbox.stats()
    assert (stats.pending, stats.expired, stats.last_expired_at) == (
        1, 1, clock.now().timestamp())
    assert "1 expired submission(s) were discarded" in caplog.text
    assert CANARY not in caplog.text and old.key not in caplog.text
    assert CANARY.encode() not in on_disk(path)


def test_nothing_of_a_delivered_submission_stays_on_disk(outbox: Outbox, path: Path) -> None:
    delivered, waiting = observation(), observation(note="still waiting")
    outbox.put(delivered)
    outbox.put(waiting)
    assert CANARY.encode() in on_disk(path)
    outbox.remove(delivered.key)
    assert CANARY.encode() not in on_disk(path)
    assert delivered.key.encode() not in on_disk(path)
    assert b"still waiting" in on_disk(path)
    outbox.remove(waiting.key)
    assert b"still waiting" not in on_disk(path)


def test_a_full_outbox_says_it_could_not_save_and_keeps_what_it_has(
        path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    box = Outbox(path, clock=clock, max_bytes=64 * 1024)
    saved: list[Submission] = []
    try:
        with pytest.raises(OutboxFull) as raised:
            for n in range(40):
                sub = observation(note=f"{CANARY}-{n}-" + "x" * 6000)
                box.put(sub)
                saved.append(sub)
        assert 2 <= len(saved) < 40
        assert isinstance(raised.value, ServiceError) and raised.value.msgid == NOT_SAVED
        assert "full" in str(raised.value) and CANARY not in str(raised.value)
        assert sorted(i.id for i in box.items()) == sorted(s.key for s in saved)
        box.remove(saved[0].key)
        box.put(observation(note="fits again"))
        assert box.stats().pending == len(saved)
    finally:
        box.close()
    assert CANARY not in caplog.text


def test_a_read_only_file_reads_but_refuses_to_save(shared_dir: Path,
                                                    clock: ManualClock) -> None:
    path = shared_dir / "state" / "outbox.sqlite3"
    box = Outbox(path, clock=clock)
    waiting = observation()
    box.put(waiting)
    box.close()
    path.chmod(0o400)
    give_away(path.parent, path)
    with unprivileged():
        box = Outbox(path, clock=clock)
        try:
            assert [i.id for i in box.due()] == [waiting.key]
            with pytest.raises(OutboxReadOnly) as raised:
                box.put(observation(note="new"))
        finally:
            box.close()
    assert raised.value.msgid == NOT_SAVED and "cannot write" in str(raised.value)


def test_a_folder_that_cannot_be_written_refuses_to_save(shared_dir: Path,
                                                         clock: ManualClock) -> None:
    folder = shared_dir / "state"
    folder.mkdir(mode=0o500)
    give_away(folder)
    with unprivileged():
        box = Outbox(folder / "outbox.sqlite3", clock=clock)
        with pytest.raises(OutboxReadOnly):
            box.put(observation())
        with pytest.raises(OutboxReadOnly):  # every call tries again, and says so again
            box.stats()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("damage", ["not a database", "damaged page"])
def test_a_damaged_file_is_reported_and_left_alone(path: Path, clock: ManualClock,
                                                   damage: str) -> None:
    box = Outbox(path, clock=clock)
    for n in range(30):
        box.put(observation(note=f"row {n} " + "y" * 500))
    box.close()
    with path.open("r+b") as f:
        if damage == "not a database":
            f.write(b"this is not an SQLite file at all" * 200)
        else:
            f.seek(4096 + 8)
            f.write(b"\xff" * 600)
    before = path.read_bytes()
    box = Outbox(path, clock=clock)
    with pytest.raises(OutboxCorrupt) as raised:
        box.put(observation())
    with pytest.raises(OutboxCorrupt):
        box.due()
    box.close()
    assert raised.value.msgid == NOT_SAVED and "damaged" in str(raised.value)
    assert path.read_bytes() == before
    with pytest.raises(OutboxCorrupt):
        read_stats(path, now=clock.now())
    check = check_outbox(Settings(state_dir=path.parent), now=clock.now())
    assert check.status == FAIL and "damaged" in check.detail


def test_every_storage_error_is_a_service_error_with_a_plain_msgid() -> None:
    for kind in (OutboxError, OutboxFull, OutboxReadOnly, OutboxCorrupt):
        assert issubclass(kind, ServiceError)
        assert kind("x").msgid == NOT_SAVED


def test_read_stats_changes_nothing(outbox: Outbox, path: Path, clock: ManualClock) -> None:
    assert read_stats(path, now=clock.now()) is None
    outbox.put(observation())
    clock.advance(600)
    stats = read_stats(path, now=clock.now())
    assert stats is not None and (stats.pending, stats.oldest_age_s) == (1, 600)
    outbox.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert read_stats(path, now=clock.now()) == stats
    assert sorted(p.name for p in path.parent.iterdir()) == names == ["outbox.sqlite3"]


def test_doctor_row_says_counts_ages_and_the_limit(tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(state_dir=tmp_path / "state", outbox_max_age_h=48)
    check = check_outbox(settings, now=clock.now())
    assert (check.name, check.status) == ("outbox", OK)
    assert check.detail == "nothing waiting to be sent (kept at most 48 h)"

    box = Outbox(settings.outbox_file, clock=clock, max_age_h=settings.outbox_max_age_h)
    try:
        first, second = observation(), observation(note="second")
        box.put(first)
        clock.advance(3 * 3600)
        box.put(second)
        check = check_outbox(settings, now=clock.now())
        assert check.status == OK
        assert check.detail == "2 waiting to be sent; the oldest 3.0 h old; kept at most 48 h"

        box.reject(second.key, "http-422-invalid")
        check = check_outbox(settings, now=clock.now())
        assert check.status == WARN and "1 refused by the health service" in check.detail

        box.release_all()
        clock.advance(22 * 3600)
        check = check_outbox(settings, now=clock.now())
        assert check.status == WARN and "the oldest 25.0 h old" in check.detail

        clock.advance(24 * 3600)
        assert box.expire() == 1
        check = check_outbox(settings, now=clock.now())
        assert check.status == WARN
        assert "1 expired submission(s) were discarded" in check.detail
        assert CANARY not in check.detail and first.key not in check.detail
    finally:
        box.close()
