"""Helper mode: a staff member unlocks it with their PIN to help a citizen, and locks it again.

Every unlock, failed unlock and lock is written to the audit log with the staff name only.
HelperMode never sees the citizen's session, so it cannot leak it.
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
        return True

    def lock(self) -> None:
        """End helper mode (no-op when it is not on)."""
        if self._active is not None:
            self._audit.append(self._active, "helper_off")
            self._active = None
