"""Staff accounts for helper mode: names and scrypt-hashed PINs or badge codes in one private
JSON file.

The file holds no PIN or badge code, only salt, hash and the scrypt cost each hash was made
with, so raising the cost leaves older hashes verifiable. A badge code is what a badge scanner
types (it types like a keyboard and ends with Enter): a longer code of letters and digits.

The file is re-read on every call so that accounts added with the ``kiosk staff`` command take
effect in a running kiosk. The wrong-PIN count and the
lock-out live in a second private file beside it, so a restart (or a crash a citizen provokes)
does not reset them; each lock-out past the first lasts twice as long as the one before.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import Clock

MAX_FAILURES = 5
LOCKOUT_S = 300.0
MAX_LOCKOUT_S = 4 * 3600.0
MIN_PIN_DIGITS = 6
MIN_BADGE_CHARS = 8
MAX_CODE_CHARS = 64
_PIN = re.compile(rf"[0-9]{{{MIN_PIN_DIGITS},8}}")
_BADGE = re.compile(rf"[!-~]{{{MIN_BADGE_CHARS},{MAX_CODE_CHARS}}}")
"""Printable ASCII without spaces: what a keyboard-wedge badge scanner types."""
_ANY_CODE = re.compile(rf"[!-~]{{1,{MAX_CODE_CHARS}}}")


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors: memory is 128 * n * r bytes."""

    n: int
    r: int
    p: int

    @property
    def maxmem(self) -> int:
        # hashlib refuses more than 32 MiB by default; allow what this cost needs, and a margin.
        return 128 * self.n * self.r * self.p + 2**24


SCRYPT = ScryptCost(n=2**17, r=8, p=1)
"""OWASP's scrypt parameters (Password Storage Cheat Sheet): 128 MiB and about 0.4 s per hash."""
LEGACY_SCRYPT = ScryptCost(n=2**14, r=8, p=1)
"""The cost of hashes written before it was stored beside them."""
_DKLEN = 32


class StaffError(Exception):
    """A staff account operation failed; str() is a sentence for the operator."""


class BadName(StaffError):
    pass


class BadPin(StaffError):
    pass


class DuplicateName(StaffError):
    pass


class DuplicatePin(StaffError):
    pass


class UnknownStaff(StaffError):
    pass


class StaffFileError(StaffError):
    """The staff file exists but cannot be read as a staff file."""


class LockedOut(StaffError):
    """Too many wrong PINs in a row; no PIN is checked until the time is over."""

    def __init__(self, seconds_left: float) -> None:
        self.seconds_left = seconds_left
        wait = math.ceil(seconds_left)
        unit = "second" if wait == 1 else "seconds"
        super().__init__(f"Too many wrong PINs. Try again in {wait} {unit}.")


@dataclass(frozen=True)
class StaffMember:
    name: str
    salt: str
    """Hex of 16 random bytes."""
    hash: str
    """Hex of scrypt(PIN or badge code, salt) at ``cost``."""
    cost: ScryptCost = LEGACY_SCRYPT

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(_hash(code, bytes.fromhex(self.salt), self.cost), self.hash)

    def as_json(self) -> dict[str, object]:
        cost = {"n": self.cost.n, "r": self.cost.r, "p": self.cost.p}
        return {"name": self.name, "salt": self.salt, "hash": self.hash, "scrypt": cost}


def _hash(code: str, salt: bytes, cost: ScryptCost) -> str:
    return hashlib.scrypt(code.encode("ascii"), salt=salt, n=cost.n, r=cost.r, p=cost.p,
                          maxmem=cost.maxmem, dklen=_DKLEN).hex()


def _cost(entry: dict[str, object]) -> ScryptCost:
    """The cost stored beside a hash; none stored: the cost of the first version."""
    stored = entry.get("scrypt")
    if stored is None:
        return LEGACY_SCRYPT
    if not isinstance(stored, dict):
        raise TypeError("'scrypt' must be a group of n, r and p")
    cost = ScryptCost(int(stored["n"]), int(stored["r"]), int(stored["p"]))
    if cost.n < 2 or cost.n & (cost.n - 1) or not 1 <= cost.r * cost.p < 2**30:
        raise ValueError(f"scrypt cost out of range: {stored}")
    return cost


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 40 or not name.isprintable():
        raise BadName("A staff name must be 1 to 40 printable characters.")
    return name


def _check_pin(pin: str) -> None:
    if not _PIN.fullmatch(pin):
        raise BadPin(f"A PIN must be {MIN_PIN_DIGITS} to 8 digits (0-9).")
    if _easy_to_guess(pin):
        raise BadPin("That PIN is easy to guess (repeated or sequential digits). Choose "
                     "another.")


def _check_badge(code: str) -> None:
    if not _BADGE.fullmatch(code):
        raise BadPin(f"A badge code must be {MIN_BADGE_CHARS} to {MAX_CODE_CHARS} letters, "
                     "digits or signs, without spaces; scan the badge again.")
    if len(set(code)) < 3:
        raise BadPin("That badge code has too few different characters to be safe.")


def _easy_to_guess(pin: str) -> bool:
    """Few distinct digits (000000, 121212), one step all along (123456, 975319), or a short
    block repeated (123123): the PINs people try first."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    repeated = any(len(pin) % size == 0 and pin[:size] * (len(pin) // size) == pin
                   for size in range(1, len(pin) // 2 + 1))
    return len(set(pin)) < 3 or len(steps) == 1 or repeated


class StaffRegistry:
    """The staff who may unlock helper mode on this kiosk."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.lockout_path = path.with_name("pin-lockout.json")
        self._clock = clock

    @property
    def clock(self) -> Clock:
        return self._clock

    def names(self) -> list[str]:
        return [member.name for member in self._load()]

    def add(self, name: str, code: str, *, badge: bool = False) -> str:
        """Add an account that unlocks with a PIN, or with a badge code (``badge``); returns
        the name as stored (trimmed)."""
        name = _check_name(name)
        _check_badge(code) if badge else _check_pin(code)
        staff = self._load()
        if any(member.name.casefold() == name.casefold() for member in staff):
            raise DuplicateName(f"There is already a staff member called {name!r}.")
        if any(member.matches(code) for member in staff):
            # Two people with one PIN would make the audit log unable to tell them apart.
            what = "badge code" if badge else "PIN"
            raise DuplicatePin(f"Another staff member already uses this {what}. Choose "
                               "another.")
        salt = secrets.token_bytes(16)
        staff.append(StaffMember(name, salt.hex(), _hash(code, salt, SCRYPT), SCRYPT))
        self._save(staff)
        return name

    def remove(self, name: str) -> str:
        """Remove an account (name matched ignoring case); returns the name as stored."""
        staff = self._load()
        gone = [member for member in staff if member.name.casefold() == name.strip().casefold()]
        if not gone:
            raise UnknownStaff(f"There is no staff member called {name!r}.")
        self._save([member for member in staff if member not in gone])
        return gone[0].name

    def unlock(self, code: str) -> str | None:
        """The name of the staff member with this PIN or badge code, or None; raises
        LockedOut."""
        now = self._clock.now().timestamp()
        failures, locked_until = self._load_lockout(now)
        if now < locked_until:
            raise LockedOut(locked_until - now)
        if _ANY_CODE.fullmatch(code):
            # Check every account, so the time taken does not tell which one matched.
            matches = [member.name for member in self._load() if member.matches(code)]
            if matches:
                if failures:
                    self.lockout_path.unlink(missing_ok=True)
                return matches[0]
        failures += 1
        if failures >= MAX_FAILURES:
            locked_until = now + min(LOCKOUT_S * 2 ** (failures - MAX_FAILURES), MAX_LOCKOUT_S)
        self._write_private(self.lockout_path,
                            {"version": 1, "failures": failures, "locked_until": locked_until})
        return None

    def _load_lockout(self, now: float) -> tuple[int, float]:
        """Wrong PINs in a row and when the lock-out ends (a Unix time). An unreadable file
        locks, so damaging it cannot open the way; a clock set back cannot make a lock-out
        longer than the longest one."""
        try:
            data = json.loads(self.lockout_path.read_text(encoding="utf-8"))
            failures, until = int(data["failures"]), float(data["locked_until"])
            if failures < 0 or not math.isfinite(until):
                raise ValueError("out of range")
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            return MAX_FAILURES, now + LOCKOUT_S
        return failures, min(until, now + MAX_LOCKOUT_S)

    def _load(self) -> list[StaffMember]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise StaffFileError(f"{self.path}: cannot read the staff file: {exc}") from exc
        try:
            if data["version"] != 1:
                raise ValueError(f"unsupported version {data['version']!r}")
            return [
                StaffMember(str(entry["name"]), str(entry["salt"]), str(entry["hash"]),
                            _cost(entry))
                for entry in data["staff"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise StaffFileError(f"{self.path}: not a staff file: {exc}") from exc

    def _save(self, staff: list[StaffMember]) -> None:
        self._write_private(self.path, {
            "version": 1,
            "staff": [member.as_json() for member in staff],
        })

    @staticmethod
    def _write_private(path: Path, data: dict[str, object]) -> None:
        parent = path.parent
        if not parent.exists():
            parent.mkdir(parents=True, mode=0o700)
            parent.chmod(0o700)  # mkdir's mode is reduced by the umask
        # mkstemp creates the file 0600; os.replace swaps it in whole, so a crash never
        # leaves a half-written staff file.
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".staff-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
