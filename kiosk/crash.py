"""What an unexpected error may leave behind: a log line naming where it happened, never what
the values were (an exception's message or locals can hold a citizen's name or answers)."""

from __future__ import annotations

import traceback

RESTART_EXIT_CODE = 70
"""EX_SOFTWARE: systemd's Restart=always starts a fresh kiosk after it."""


def describe(error: BaseException) -> str:
    """The exception's type and the code locations it passed through, innermost first."""
    frames = traceback.extract_tb(error.__traceback__)
    where = " < ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                       for frame in reversed(frames[-8:]))
    return f"{type(error).__name__} at {where or 'unknown place'}"
