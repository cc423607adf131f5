"""Staff accounts on a real file: hashing, validation, file safety and PIN lockout."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from helper_mode.staff import (
    LOCKOUT_S,
    BadName,
    BadPin,
    DuplicateName,
    DuplicatePin,
    LockedOut,
    StaffFileError,
    StaffRegistry,
    UnknownStaff,
)
from kiosk.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry(tmp_path: Path, clock: ManualClock) -> StaffRegistry:
    return StaffRegistry(tmp_path / "state" / "staff.json", clock)


def test_add_list_remove(registry: StaffRegistry) -> None:
    assert registry.names() == []
    assert registry.add("  Ola Nordmann ", "1234") == "Ola Nordmann"
    registry.add("Kari", "98765432")
    assert registry.names() == ["Ola Nordmann", "Kari"]
    assert registry.remove("ola nordmann") == "Ola Nordmann"
    assert registry.names() == ["Kari"]
    with pytest.raises(UnknownStaff, match="no staff member called 'Per'"):
        registry.remove("Per")


def test_a_second_registry_sees_the_same_file(registry: StaffRegistry, clock: ManualClock) -> None:
    registry.add("Kari", "4321")
    assert StaffRegistry(registry.path, clock).unlock("4321") == "Kari"


def test_duplicate_name_refused(registry: StaffRegistry) -> None:
    registry.add("Kari", "1111")
    with pytest.raises(DuplicateName, match="already a staff member called 'KARI'"):
        registry.add("KARI", "2222")


def test_duplicate_pin_refused(registry: StaffRegistry) -> None:
    registry.add("Kari", "1111")
    with pytest.raises(DuplicatePin, match="already uses this PIN"):
        registry.add("Ola", "1111")
    assert registry.names() == ["Kari"]


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "12 34", "١٢٣٤", "1234\n"])
def test_bad_pins_refused(registry: StaffRegistry, pin: str) -> None:
    with pytest.raises(BadPin, match="4 to 8 digits"):
        registry.add("Kari", pin)
    assert not registry.path.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "Kari\nOla", "Tab\there"])
def test_bad_names_refused(registry: StaffRegistry, name: str) -> None:
    with pytest.raises(BadName, match="1 to 40 printable characters"):
        registry.add(name, "1234")


def test_file_is_private_and_holds_no_pin(registry: StaffRegistry) -> None:
    registry.add("Kari", "27182818")
    assert stat.S_IMODE(registry.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(registry.path.parent.stat().st_mode) == 0o700
    text = registry.path.read_text()
    assert "27182818" not in text
    data = json.loads(text)
    assert data["version"] == 1
    (entry,) = data["staff"]
    assert set(entry) == {"name", "salt", "hash"}
    assert len(bytes.fromhex(entry["salt"])) == 16
    assert b"27182818".hex() not in text
    # scrypt with the documented cost, so the file cannot be brute-forced cheaply.
    salt = bytes.fromhex(entry["salt"])
    expected = hashlib.scrypt(b"27182818", salt=salt, n=2**14, r=8, p=1, dklen=32)
    assert entry["hash"] == expected.hex()
    assert [p.name for p in registry.path.parent.iterdir()] == ["staff.json"]


def test_same_pin_gives_different_hashes_for_different_salts(tmp_path: Path) -> None:
    clock = ManualClock()
    first = StaffRegistry(tmp_path / "a.json", clock)
    second = StaffRegistry(tmp_path / "b.json", clock)
    first.add("Kari", "5555")
    second.add("Kari", "5555")
    hash_a = json.loads(first.path.read_text())["staff"][0]["hash"]
    hash_b = json.loads(second.path.read_text())["staff"][0]["hash"]
    assert hash_a != hash_b


def test_unlock_right_and_wrong(registry: StaffRegistry) -> None:
    registry.add("Kari", "1234")
    registry.add("Ola", "5678")
    assert registry.unlock("5678") == "Ola"
    assert registry.unlock("1234") == "Kari"
    assert registry.unlock("0000") is None
    assert registry.unlock("not a pin") is None


def test_lockout_after_five_wrong_and_release_after_300_s(
    registry: StaffRegistry, clock: ManualClock
) -> None:
    registry.add("Kari", "1234")
    for _ in range(5):
        assert registry.unlock("9999") is None
    with pytest.raises(LockedOut) as excinfo:
        registry.unlock("1234")  # even the right PIN waits
    assert excinfo.value.seconds_left == LOCKOUT_S
    assert "Try again in 300 seconds" in str(excinfo.value)
    clock.advance(299.5)
    with pytest.raises(LockedOut) as excinfo:
        registry.unlock("1234")
    assert excinfo.value.seconds_left == pytest.approx(0.5)
    assert "Try again in 1 second." in str(excinfo.value)
    clock.advance(0.5)
    assert registry.unlock("1234") == "Kari"


def test_a_right_pin_resets_the_count(registry: StaffRegistry) -> None:
    registry.add("Kari", "1234")
    for _ in range(4):
        assert registry.unlock("9999") is None
    assert registry.unlock("1234") == "Kari"
    for _ in range(4):
        assert registry.unlock("9999") is None
    assert registry.unlock("1234") == "Kari"


def test_count_starts_afresh_after_lockout(registry: StaffRegistry, clock: ManualClock) -> None:
    registry.add("Kari", "1234")
    for _ in range(5):
        registry.unlock("9999")
    clock.advance(LOCKOUT_S)
    assert registry.unlock("9999") is None
    assert registry.unlock("1234") == "Kari"


def test_corrupt_file_is_reported(registry: StaffRegistry) -> None:
    registry.path.parent.mkdir()
    registry.path.write_text("{not json")
    with pytest.raises(StaffFileError, match="cannot read the staff file"):
        registry.names()
    registry.path.write_text('{"version": 2, "staff": []}')
    with pytest.raises(StaffFileError, match="unsupported version 2"):
        registry.names()
