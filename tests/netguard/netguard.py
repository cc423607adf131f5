"""The tests' network guard: no connection, datagram or name lookup may leave this machine.

Installed in the pytest process by tests/conftest.py, and in every Python child process the
tests start (the outbox submitter, the kiosk under tmux) through ``sitecustomize`` beside this
file, which conftest puts on PYTHONPATH.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

REFUSED = "tests may only connect to loopback"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NetworkRefused(OSError):
    """A test tried to reach something other than this machine."""


def is_local_address(family: int, address: Any) -> bool:
    """True for AF_UNIX paths and for loopback IPs (127.0.0.0/8, ::1); names other than
    "localhost" are refused without resolving them, so no DNS query leaves the machine."""
    if family == socket.AF_UNIX or isinstance(address, str | bytes):
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(address: Any) -> None:
    raise NetworkRefused(f"{REFUSED}, not {address!r}")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def install() -> None:
    """Patch the socket module; idempotent."""
    if getattr(socket, "_helselos_guarded", False):
        return
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto
    original_create = socket.create_connection
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if not is_local_address(self.family, address):
            _refuse(address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not is_local_address(self.family, address):
            _refuse(address)
        return original_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *rest: Any) -> Any:
        if rest and not is_local_address(self.family, rest[-1]):
            _refuse(rest[-1])
        return original_sendto(self, data, *rest)

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if not is_local_address(socket.AF_INET, address):
            _refuse(address)
        return original_create(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in _LOCAL_NAMES and not _is_ip_literal(name):
            _refuse(name)
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign, assignment]
    socket.create_connection = create_connection  # type: ignore[assignment]
    socket.getaddrinfo = getaddrinfo
    socket._helselos_guarded = True  # type: ignore[attr-defined]
