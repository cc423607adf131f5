"""Staff accounts on a real file: hashing, validation, file safety and PIN lockout."""

from __future__ import annotations

import contextlib
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
    assert registry.add("  Ola Nordmann ", "382915") == "Ola Nordmann"
    registry.add("Kari", "98375142")
    assert registry.names() == ["Ola Nordmann", "Kari"]
    assert registry.remove("ola nordmann") == "Ola Nordmann"
    assert registry.names() == ["Kari"]
    with pytest.raises(UnknownStaff, match="no staff member called 'Per'"):
        registry.remove("Per")


def test_a_second_registry_sees_the_same_file(registry: StaffRegistry, clock: ManualClock) -> None:
    registry.add("Kari", "730642")
    assert StaffRegistry(registry.path, clock).unlock("730642") == "Kari"


def test_duplicate_name_refused(registry: StaffRegistry) -> None:
    registry.add("Kari", "519283")
    with pytest.raises(DuplicateName, match="already a staff member called 'KARI'"):
        registry.add("KARI", "624851")


def test_duplicate_pin_refused(registry: StaffRegistry) -> None:
    registry.add("Kari", "519283")
    with pytest.raises(DuplicatePin, match="already uses this PIN"):
        registry.add("Ola", "519283")
    assert registry.names() == ["Kari"]


@pytest.mark.parametrize(
    "pin", ["12345", "123456789", "12a456", "", "12 3456", "١٢٣٤٥٦", "382915\n"])
def test_bad_pins_refused(registry: StaffRegistry, pin: str) -> None:
    with pytest.raises(BadPin, match="6 to 8 digits"):
        registry.add("Kari", pin)
    assert not registry.path.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "Kari\nOla", "Tab\there"])
def test_bad_names_refused(registry: StaffRegistry, name: str) -> None:
    with pytest.raises(BadName, match="1 to 40 printable characters"):
        registry.add(name, "382915")


def test_file_is_private_and_holds_no_pin(registry: StaffRegistry) -> None:
    registry.add("Kari", "27182818")
    assert stat.S_IMODE(registry.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(registry.path.parent.stat().st_mode) == 0o700
    text = registry.path.read_text()
    assert "27182818" not in text
    data = json.loads(text)
    assert data["version"] == 1
    (entry,) = data["staff"]
    assert set(entry) == {"name", "salt", "hash", "scrypt"}
    assert len(bytes.fromhex(entry["salt"])) == 16
    assert b"27182818".hex() not in text
    # scrypt with OWASP's cost (N=2^17, r=8, p=1), stored beside the hash.
    assert entry["scrypt"] == {"n": 2**17, "r": 8, "p": 1}
    salt = bytes.fromhex(entry["salt"])
    expected = hashlib.scrypt(b"27182818", salt=salt, n=2**17, r=8, p=1, dklen=32,
                              maxmem=2**28)
    assert entry["hash"] == expected.hex()
    assert [p.name for p in registry.path.parent.iterdir()] == ["staff.json"]


def test_a_hash_of_the_first_version_still_unlocks(registry: StaffRegistry) -> None:
    """Hashes written before the cost was stored (scrypt N=2^14) stay verifiable beside new
    ones."""
    salt = bytes(range(16))
    old = hashlib.scrypt(b"382915", salt=salt, n=2**14, r=8, p=1, dklen=32).hex()
    registry.path.parent.mkdir(mode=0o700)
    registry.path.write_text(json.dumps(
        {"version": 1, "staff": [{"name": "Kari", "salt": salt.hex(), "hash": old}]}))
    registry.add("Ola", "604917")
    assert registry.unlock("382915") == "Kari"
    assert registry.unlock("604917") == "Ola"
    kari, ola = json.loads(registry.path.read_text())["staff"]
    assert "scrypt" not in kari or kari["scrypt"]["n"] == 2**14
    assert ola["scrypt"]["n"] == 2**17


def test_a_damaged_cost_is_reported(registry: StaffRegistry) -> None:
    registry.path.parent.mkdir(mode=0o700)
    registry.path.write_text(json.dumps({"version": 1, "staff": [
        {"name": "Kari", "salt": "00", "hash": "00", "scrypt": {"n": 1000, "r": 8, "p": 1}}]}))
    with pytest.raises(StaffFileError, match="scrypt cost out of range"):
        registry.names()


def test_a_badge_code_unlocks_like_a_pin(registry: StaffRegistry) -> None:
    registry.add("Kari", "382915")
    registry.add("Ola", "HLS-0042-7731", badge=True)
    assert registry.unlock("HLS-0042-7731") == "Ola"
    assert registry.unlock("382915") == "Kari"
    assert "HLS-0042-7731" not in registry.path.read_text()
    with pytest.raises(DuplicatePin, match="already uses this badge code"):
        registry.add("Per", "HLS-0042-7731", badge=True)


@pytest.mark.parametrize("code", ["short1", "with space 1234", "x" * 65, "aaaaaaaa", "æøå12345"])
def test_bad_badge_codes_refused(registry: StaffRegistry, code: str) -> None:
    with pytest.raises(BadPin, match="badge code"):
        registry.add("Kari", code, badge=True)


def test_same_pin_gives_different_hashes_for_different_salts(tmp_path: Path) -> None:
    clock = ManualClock()
    first = StaffRegistry(tmp_path / "a.json", clock)
    second = StaffRegistry(tmp_path / "b.json", clock)
    first.add("Kari", "847261")
    second.add("Kari", "847261")
    hash_a = json.loads(first.path.read_text())["staff"][0]["hash"]
    hash_b = json.loads(second.path.read_text())["staff"][0]["hash"]
    assert hash_a != hash_b


def test_unlock_right_and_wrong(registry: StaffRegistry) -> None:
    registry.add("Kari", "382915")
    registry.add("Ola", "604917")
    assert registry.unlock("604917") == "Ola"
    assert registry.unlock("382915") == "Kari"
    assert registry.unlock("0000") is None
    assert registry.unlock("not a pin") is None


def test_lockout_after_five_wrong_and_release_after_300_s(
    registry: StaffRegistry, clock: ManualClock
) -> None:
    registry.add("Kari", "382915")
    for _ in range(5):
        assert registry.unlock("9999") is None
    with pytest.raises(LockedOut) as excinfo:
        registry.unlock("382915")  # even the right PIN waits
    assert excinfo.value.seconds_left == LOCKOUT_S
    assert "Try again in 300 seconds" in str(excinfo.value)
    clock.advance(299.5)
    with pytest.raises(LockedOut) as excinfo:
        registry.unlock("382915")
    assert excinfo.value.seconds_left == pytest.approx(0.5)
    assert "Try again in 1 second." in str(excinfo.value)
    clock.advance(0.5)
    assert registry.unlock("382915") == "Kari"


def test_a_right_pin_resets_the_count(registry: StaffRegistry) -> None:
    registry.add("Kari", "382915")
    for _ in range(4):
        assert registry.unlock("9999") is None
    assert registry.unlock("382915") == "Kari"
    for _ in range(4):
        assert registry.unlock("9999") is None
    assert registry.unlock("382915") == "Kari"


def test_each_lockout_after_the_first_lasts_twice_as_long(
    registry: StaffRegistry, clock: ManualClock
) -> None:
    registry.add("Kari", "382915")
    for _ in range(5):
        registry.unlock("9999")
    clock.advance(LOCKOUT_S)
    assert registry.unlock("9999") is None
    with pytest.raises(LockedOut) as excinfo:
        registry.unlock("382915")
    assert excinfo.value.seconds_left == 2 * LOCKOUT_S
    clock.advance(2 * LOCKOUT_S)
    assert registry.unlock("382915") == "Kari"
    assert not registry.lockout_path.exists(), "a right PIN starts the count afresh"


def test_lockout_survives_a_restart(registry: StaffRegistry, clock: ManualClock) -> None:
    registry.add("Kari", "382915")
    for _ in range(6):
        with contextlib.suppress(LockedOut):
            registry.unlock("9999")
    restarted = StaffRegistry(registry.path, clock)
    with pytest.raises(LockedOut, match="Try again in 300 seconds"):
        restarted.unlock("382915")
    assert stat.S_IMODE(registry.lockout_path.stat().st_mode) == 0o600


def test_a_damaged_lockout_file_locks(registry: StaffRegistry, clock: ManualClock) -> None:
    registry.add("Kari", "382915")
    registry.lockout_path.write_text("{broken")
    with pytest.raises(LockedOut):
        registry.unlock("382915")


@pytest.mark.parametrize("pin", ["000000", "123456", "987654", "121212", "123123", "13579135",
                                 "11112222", "246802"])
def test_easy_pins_refused(registry: StaffRegistry, pin: str) -> None:
    with pytest.raises(BadPin, match="easy to guess"):
        registry.add("Kari", pin)


def test_corrupt_file_is_reported(registry: StaffRegistry) -> None:
    registry.path.parent.mkdir()
    registry.path.write_text("{not json")
    with pytest.raises(StaffFileError, match="cannot read the staff file"):
        registry.names()
    registry.path.write_text('{"version": 2, "staff": []}')
    with pytest.raises(StaffFileError, match="unsupported version 2"):
        registry.names()
