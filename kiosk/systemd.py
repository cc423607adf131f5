"""systemd service notifications (sd_notify) over $NOTIFY_SOCKET, with the standard library only.

Every function is a no-op when the kiosk does not run under a ``Type=notify`` unit, so the same
code runs at a desk, in tests and as a service.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


def _address(env: Mapping[str, str]) -> str | None:
    path = env.get("NOTIFY_SOCKET", "")
    if not path:
        return None
    # A leading '@' names a socket in the abstract namespace, which Python spells with a NUL.
    return "\0" + path[1:] if path.startswith("@") else path


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one sd_notify state string (e.g. "READY=1"); False when there is no socket to tell."""
    address = _address(os.environ if env is None else env)
    if address is None:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        sock.sendall(state.encode("utf-8"))
    return True


def notify_ready(env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd the kiosk is up, so the unit counts as started."""
    return notify("READY=1", env)


def notify_watchdog(env: Mapping[str, str] | None = None) -> bool:
    """Keep-alive ping; systemd restarts the kiosk when these stop for WatchdogSec."""
    return notify("WATCHDOG=1", env)


def notify_stopping(env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd the kiosk is shutting down on purpose."""
    return notify("STOPPING=1", env)


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings: half of WATCHDOG_USEC, or None when no watchdog is set.

    WATCHDOG_PID, when set, must be our pid: otherwise the watchdog belongs to another process.
    """
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000 / 2
