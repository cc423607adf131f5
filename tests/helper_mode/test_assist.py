"""HelperMode with a real staff file and a real audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from helper_mode.assist import HelperMode
from helper_mode.audit import AuditLog
from helper_mode.staff import LockedOut, StaffRegistry
from kiosk.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def audit(tmp_path: Path, clock: ManualClock) -> AuditLog:
    return AuditLog(tmp_path / "audit.log", clock)


@pytest.fixture
def helper(tmp_path: Path, clock: ManualClock, audit: AuditLog) -> HelperMode:
    registry = StaffRegistry(tmp_path / "staff.json", clock)
    registry.add("Kari", "382915")
    registry.add("Ola", "604917")
    return HelperMode(registry, audit)


def _events(audit: AuditLog) -> list[tuple[str, str]]:
    return [(entry.staff, entry.event) for entry in audit.entries()]


def test_unlock_and_lock_are_audited(helper: HelperMode, audit: AuditLog) -> None:
    assert helper.active_staff is None
    assert helper.unlock("382915") is True
    assert helper.active_staff == "Kari"
    helper.lock()
    assert helper.active_staff is None
    helper.lock()  # already off: nothing more to record
    assert _events(audit) == [
        ("Kari", "helper_on"), ("Kari", "helper_off"),
    ]
    assert audit.verify()


def test_wrong_pin_is_audited_without_a_name(helper: HelperMode, audit: AuditLog) -> None:
    assert helper.unlock("0000") is False
    assert helper.active_staff is None
    assert _events(audit)[-1] == ("", "unlock_failed")


def test_another_staff_member_takes_over(helper: HelperMode, audit: AuditLog) -> None:
    helper.unlock("382915")
    helper.unlock("604917")
    assert helper.active_staff == "Ola"
    assert _events(audit) == [
        ("Kari", "helper_on"), ("Kari", "helper_off"), ("Ola", "helper_on"),
    ]


def test_lockout_propagates_and_is_audited(
    helper: HelperMode, audit: AuditLog, clock: ManualClock
) -> None:
    for _ in range(5):
        assert helper.unlock("0000") is False
    with pytest.raises(LockedOut):
        helper.unlock("382915")
    assert helper.active_staff is None
    assert _events(audit).count(("", "unlock_failed")) == 6
    clock.advance(300)
    assert helper.unlock("382915") is True


def test_locks_itself_after_a_quiet_period(helper: HelperMode, clock: ManualClock,
                                           audit: AuditLog) -> None:
    assert helper.lock_if_quiet(60) is False  # nothing to lock
    helper.unlock("382915")
    clock.advance(59)
    assert helper.lock_if_quiet(60) is False
    helper.note_activity()
    clock.advance(59)
    assert helper.lock_if_quiet(60) is False
    assert helper.active_staff == "Kari"
    clock.advance(1)
    assert helper.lock_if_quiet(60) is True
    assert helper.active_staff is None
    assert _events(audit)[-1] == ("Kari", "helper_off")
