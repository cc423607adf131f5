"""How `kiosk run` starts: the first screen is drawn before the rest of the kiosk is built.

The welcome view needs only the settings; the services, the practice service, the guides, the
voice and the outbox (``build``) are built in the background right after it is drawn, so a
citizen (and systemd) sees the kiosk at once. Until they are ready the kiosk takes no input but
remembers a touch or key that starts a visit. ``StartFailed`` is an operator's problem found
while building (an address this machine does not have, guides with errors): the kiosk closes
and ``kiosk run`` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.clock import Clock, SystemClock
from kiosk.config import Settings

if TYPE_CHECKING:
    from kiosk.runtime import Runtime


class StartFailed(Exception):
    """The kiosk cannot start; ``str()`` says why and what to do, ``details`` (if any) are
    printed before it (e.g. every guide error)."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


@dataclass(frozen=True)
class Starting:
    """What the first screen needs, and how to build everything else."""

    settings: Settings
    build: Callable[[], Runtime]
    clock: Clock = field(default_factory=SystemClock)
