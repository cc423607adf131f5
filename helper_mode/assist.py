"""Helper mode: a staff member unlocks it with their PIN to help a citizen, and locks it again.

Every unlock, failed unlock and lock is written to the audit log with the staff name only.
HelperMode never sees the citizen's session, so it cannot leak it. It locks itself after a quiet
period (no key or touch), so a staff member who walked away leaves no helper mode behind for
the next citizen to find; the app also locks it at the end of every visit.
"""

from __future__ import annotations

from helper_mode.audit import AuditLog
from helper_mode.staff import LockedOut, StaffRegistry


class HelperMode:
    """Whether a staff member is helping right now, and who."""

    def __init__(self, registry: StaffRegistry, audit: AuditLog) -> None:
        self._registry = registry
        self._audit = audit
        self._active: str | None = None
        self._last_activity = 0.0

    @property
    def active_staff(self) -> str | None:
        return self._active

    def unlock(self, pin: str) -> bool:
        """True if pin belongs to a staff member; raises LockedOut after too many wrong PINs."""
        try:
            name = self._registry.unlock(pin)
        except LockedOut:
            self._audit.append("", "unlock_failed")
            raise
        if name is None:
            # Who typed a wrong PIN is unknown, so the entry names nobody.
            self._audit.append("", "unlock_failed")
            return False
        if self._active is not None and self._active != name:
            self.lock()
        if self._active is None:
            self._active = name
            self._audit.append(name, "helper_on")
        self.note_activity()
        return True

    def note_activity(self) -> None:
        """A key or touch: the quiet period starts again."""
        self._last_activity = self._registry.clock.monotonic()

    def lock_if_quiet(self, quiet_s: float) -> bool:
        """Lock when nothing was pressed for ``quiet_s`` seconds; True if it locked now."""
        if self._active is None:
            return False
        if self._registry.clock.monotonic() - self._last_activity < quiet_s:
            return False
        self.lock()
        return True

    def lock(self) -> None:
        """End helper mode (no-op when it is not on)."""
        if self._active is not None:
            self._audit.append(self._active, "helper_off")
            self._active = None
