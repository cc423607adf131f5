"""When an unattended session must end: the idle policy behind the timeout warning (WCAG 2.2.1).

No Textual here: the app asks ``state()`` once a second and shows what it says. Time comes from
the kiosk clock, so tests drive it with ``ManualClock``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.clock import Clock


@dataclass(frozen=True)
class IdleState:
    """What the idle policy says right now."""

    phase: Literal["active", "warning", "expired"]
    seconds_left: int = 0
    """Whole seconds until the session ends (rounded up), in the warning phase."""
    extensions_left: int = 0
    """How many more times the citizen may ask for more time."""

    @property
    def can_extend(self) -> bool:
        return self.phase == "warning" and self.extensions_left > 0


ACTIVE = IdleState("active")
EXPIRED = IdleState("expired")


class IdlePolicy:
    """Counts seconds since the last input; warns before the end; allows a limited number of
    one-action extensions."""

    def __init__(self, clock: Clock, timeout_s: float, warning_s: float, max_extensions: int):
        if warning_s >= timeout_s:
            raise ValueError("warning_s must be shorter than timeout_s")
        self._clock = clock
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self.max_extensions = max_extensions
        self._last_input = clock.monotonic()
        self._extensions_used = 0

    @property
    def extensions_used(self) -> int:
        return self._extensions_used

    @property
    def extensions_left(self) -> int:
        return max(0, self.max_extensions - self._extensions_used)

    def touch(self) -> None:
        """Any key, click or touch: the citizen is here. Does not count as an extension."""
        self._last_input = self._clock.monotonic()

    def reset(self) -> None:
        """A new citizen: the extension count starts again."""
        self._extensions_used = 0
        self.touch()

    def state(self) -> IdleState:
        idle = self._clock.monotonic() - self._last_input
        if idle >= self.timeout_s:
            return EXPIRED
        if idle >= self.timeout_s - self.warning_s:
            left = self.timeout_s - idle
            whole = int(left) if left == int(left) else int(left) + 1
            return IdleState("warning", whole, self.extensions_left)
        return ACTIVE

    def extend(self) -> bool:
        """The citizen asked for more time with one action. False once no extension is left,
        or when there is nothing to extend (no warning showing)."""
        current = self.state()
        if not current.can_extend:
            return False
        self._extensions_used += 1
        self.touch()
        return True
