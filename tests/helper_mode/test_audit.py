"""The audit log on a real file: exact line shape, and tampering of every kind detected."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from helper_mode.audit import GENESIS, AuditLog
from kiosk.clock import ManualClock


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    clock = ManualClock()
    audit = AuditLog(tmp_path / "audit.log", clock)
    audit.append("Kari", "helper_on")
    clock.advance(60)
    audit.append("Kari", "helper_off")
    clock.advance(60)
    audit.append("", "unlock_failed")
    clock.advance(60)
    audit.append("Ola", "staff_added")
    return audit


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines()


def test_lines_have_exactly_the_five_keys(log: AuditLog) -> None:
    lines = _lines(log)
    assert len(lines) == 4
    for line in lines:
        assert set(json.loads(line)) == {"time", "staff", "event", "prev", "hash"}
    first = json.loads(lines[0])
    assert first["time"] == "2026-12-01T09:00:00Z"
    assert (first["staff"], first["event"], first["prev"]) == ("Kari", "helper_on", GENESIS)
    assert json.loads(lines[1])["prev"] == first["hash"]
    assert json.loads(lines[1])["time"] == "2026-12-01T09:01:00Z"
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_entries_and_verify(log: AuditLog) -> None:
    assert [(e.staff, e.event) for e in log.entries()] == [
        ("Kari", "helper_on"),
        ("Kari", "helper_off"),
        ("", "unlock_failed"),
        ("Ola", "staff_added"),
    ]
    assert log.verify() is True


def test_a_new_log_object_continues_the_chain(log: AuditLog) -> None:
    again = AuditLog(log.path, ManualClock())
    entry = again.append("Ola", "staff_removed")
    assert entry.prev == log.entries()[-2].hash
    assert again.verify()


def test_empty_or_absent_log_verifies(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "none.log", ManualClock())
    assert audit.entries() == []
    assert audit.verify()


def test_edited_field_detected(log: AuditLog) -> None:
    lines = _lines(log)
    entry = json.loads(lines[1])
    entry["staff"] = "Ola"
    lines[1] = json.dumps(entry)
    log.path.write_text("\n".join(lines) + "\n")
    assert not log.verify()


def test_edit_with_recomputed_hash_detected_by_next_line(log: AuditLog) -> None:
    other = AuditLog(log.path.with_name("other.log"), ManualClock())
    forged = other.append("Ola", "helper_on")  # a valid line, but chained to nothing here
    lines = _lines(log)
    lines[0] = json.dumps(forged.__dict__)
    log.path.write_text("\n".join(lines) + "\n")
    assert not log.verify()


@pytest.mark.parametrize("index", [0, 1, 2])
def test_deleted_line_detected(log: AuditLog, index: int) -> None:
    lines = _lines(log)
    del lines[index]
    log.path.write_text("\n".join(lines) + "\n")
    assert not log.verify()


def test_reordered_lines_detected(log: AuditLog) -> None:
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    assert not log.verify()


def test_extra_key_detected(log: AuditLog) -> None:
    lines = _lines(log)
    entry = json.loads(lines[0])
    entry["note"] = "anything"
    lines[0] = json.dumps(entry)
    log.path.write_text("\n".join(lines) + "\n")
    assert not log.verify()


def test_garbage_line_detected_and_logging_goes_on(log: AuditLog) -> None:
    with log.path.open("a") as handle:
        handle.write("garbage\n")
    assert not log.verify()
    log.append("Kari", "helper_on")
    assert len(log.entries()) == 5


def test_unknown_event_refused(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="unknown audit event 'citizen_name'"):
        log.append("Kari", "citizen_name")
    assert len(_lines(log)) == 4


def test_staff_must_look_like_a_name(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="staff name"):
        log.append("Kari\nforged line", "helper_on")
    with pytest.raises(ValueError, match="staff name"):
        log.append("x" * 41, "helper_on")
