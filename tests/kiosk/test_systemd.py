"""sd_notify against a real AF_UNIX datagram socket, as systemd would listen."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import systemd
from tests.unit_file import UNIT, parse_unit


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    try:
        yield sock, str(path)
    finally:
        sock.close()


def test_ready_watchdog_and_stopping_reach_the_socket(
    listener: tuple[socket.socket, str],
) -> None:
    sock, path = listener
    env = {"NOTIFY_SOCKET": path}
    assert systemd.notify_ready(env)
    assert systemd.notify_watchdog(env)
    assert systemd.notify_stopping(env)
    received = [sock.recv(256) for _ in range(3)]
    assert received == [b"READY=1", b"WATCHDOG=1", b"STOPPING=1"]


def test_abstract_namespace_socket() -> None:
    name = f"helselos-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert systemd.notify_ready({"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(256) == b"READY=1"


def test_without_notify_socket_nothing_is_sent() -> None:
    assert systemd.notify_ready({}) is False
    assert systemd.notify_watchdog({"NOTIFY_SOCKET": ""}) is False
    assert systemd.notify_stopping({}) is False


def test_missing_socket_file_is_an_error_not_silence(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        systemd.notify_ready({"NOTIFY_SOCKET": str(tmp_path / "absent.sock")})


def test_watchdog_interval_is_half_the_timeout() -> None:
    assert systemd.watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert systemd.watchdog_interval_s({}) is None
    assert systemd.watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert systemd.watchdog_interval_s({"WATCHDOG_USEC": "abc"}) is None


def test_watchdog_for_another_pid_is_ignored() -> None:
    env = {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}
    assert systemd.watchdog_interval_s(env) is None
    env["WATCHDOG_PID"] = str(os.getpid())
    assert systemd.watchdog_interval_s(env) == 15.0


def test_unit_has_the_required_directives() -> None:
    unit = parse_unit(UNIT.read_text(encoding="utf-8"))
    service = {key: values[-1] for key, values in unit["Service"].items()}
    expected = {
        "Type": "notify", "WatchdogSec": "30", "Restart": "always", "RestartSec": "2",
        "User": "helselos", "DynamicUser": "no",
        "ExecStart": "/opt/helselos/.venv/bin/kiosk run",
        "StateDirectory": "helselos", "StateDirectoryMode": "0700",
        "ProtectSystem": "strict", "ProtectHome": "true", "PrivateTmp": "true",
        "NoNewPrivileges": "true", "PrivateDevices": "no", "LockPersonality": "true",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "TTYPath": "/dev/tty1", "StandardInput": "tty", "StandardOutput": "tty",
        "StandardError": "tty",
    }
    assert {key: service.get(key) for key in expected} == expected
    assert any(v.startswith("TERM=") for v in unit["Service"]["Environment"])
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_unit_explains_its_choices() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "useradd" in text
    assert "cage" in text and "foot" in text and "fonts-noto" in text
    comment_before_private_devices = text.split("PrivateDevices=no")[0].splitlines()[-1]
    assert comment_before_private_devices.startswith("#") and "sound" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    copy = tmp_path / "kiosk.service"
    copy.write_text(UNIT.read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    # The only acceptable complaint on a build machine: the kiosk is not installed in /opt.
    problems = [
        line for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/helselos/.venv/bin/kiosk" not in line
    ]
    assert problems == []
