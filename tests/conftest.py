"""Test-wide isolation: a private HOME/XDG/state tree and a guard that keeps tests on loopback.

The environment is set in ``pytest_configure`` (before test modules are imported), because
some libraries read XDG paths at import time. The network guard is an autouse session fixture.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ISOLATED_VARS = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                  "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HELSELOS_STATE_DIR")
_saved_env: dict[str, str | None] = {}
_sandbox: Path | None = None


class NetworkRefused(OSError):
    """A test tried to reach something other than this machine."""


def pytest_configure(config: pytest.Config) -> None:
    global _sandbox
    _sandbox = Path(tempfile.mkdtemp(prefix="helselos-tests-"))
    targets = {
        "HOME": _sandbox / "home",
        "XDG_CONFIG_HOME": _sandbox / "home" / ".config",
        "XDG_DATA_HOME": _sandbox / "home" / ".local" / "share",
        "XDG_CACHE_HOME": _sandbox / "home" / ".cache",
        "XDG_STATE_HOME": _sandbox / "home" / ".local" / "state",
        "XDG_RUNTIME_DIR": _sandbox / "run",
        "HELSELOS_STATE_DIR": _sandbox / "state",
    }
    for name in _ISOLATED_VARS:
        _saved_env[name] = os.environ.get(name)
        targets[name].mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ[name] = str(targets[name])
    # A real /etc/helselos/kiosk.toml on the test machine must not change what tests see.
    _saved_env["HELSELOS_CONFIG"] = os.environ.get("HELSELOS_CONFIG")
    os.environ["HELSELOS_CONFIG"] = str(_sandbox / "kiosk.toml")
    (_sandbox / "kiosk.toml").write_text("", encoding="utf-8")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if _sandbox is not None:
        shutil.rmtree(_sandbox, ignore_errors=True)


def is_local_address(family: int, address: Any) -> bool:
    """True for AF_UNIX paths and for loopback IPs (127.0.0.0/8, ::1); names other than
    "localhost" are refused without resolving them, so no DNS query leaves the machine."""
    if family == socket.AF_UNIX or isinstance(address, str | bytes):
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded(original: Any) -> Any:
    def connect(self: socket.socket, address: Any, *args: Any) -> Any:
        if not is_local_address(self.family, address):
            raise NetworkRefused(f"tests may only connect to loopback, not {address!r}")
        return original(self, address, *args)

    return connect


@pytest.fixture(autouse=True, scope="session")
def network_guard() -> Iterator[None]:
    """Refuse every connection that would leave the machine, for the whole test session."""
    patch = pytest.MonkeyPatch()
    original_create = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if not is_local_address(socket.AF_INET, address):
            raise NetworkRefused(f"tests may only connect to loopback, not {address!r}")
        return original_create(address, *args, **kwargs)

    patch.setattr(socket.socket, "connect", _guarded(socket.socket.connect))
    patch.setattr(socket.socket, "connect_ex", _guarded(socket.socket.connect_ex))
    patch.setattr(socket, "create_connection", create_connection)
    try:
        yield
    finally:
        patch.undo()
