"""The test-wide network guard refuses remote addresses and lets loopback through."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
import requests

# The guard's message (tests/conftest.py); a plain network error would not match it.
REFUSED = "tests may only connect to loopback"



def test_remote_ipv4_is_refused_before_any_packet() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock, pytest.raises(OSError, match=REFUSED):
        sock.connect(("10.0.0.1", 80))


def test_connect_ex_and_create_connection_are_guarded_too() -> None:
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    with sock, pytest.raises(OSError, match=REFUSED):
        sock.connect_ex(("2001:db8::1", 443))
    with pytest.raises(OSError, match=REFUSED):
        socket.create_connection(("example.invalid", 80), timeout=1)


def test_requests_to_a_remote_host_are_refused() -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get("http://10.0.0.1/", timeout=1)


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        accepted: list[bytes] = []

        def accept() -> None:
            conn, _ = server.accept()
            with conn:
                accepted.append(conn.recv(16))

        thread = threading.Thread(target=accept)
        thread.start()
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            client.sendall(b"hello")
        thread.join(5)
    assert accepted == [b"hello"]


def test_unix_sockets_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


def test_home_and_state_dir_are_isolated() -> None:
    home = Path(os.environ["HOME"])
    assert home.name == "home" and home.parent.name.startswith("helselos-tests-")
    assert Path(os.environ["HELSELOS_STATE_DIR"]).parent == home.parent
    assert Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(home)


def test_name_resolution_is_refused_before_any_query() -> None:
    with pytest.raises(OSError, match=REFUSED):
        socket.getaddrinfo("example.invalid", 443)
    assert socket.getaddrinfo("localhost", 80)


def test_udp_to_a_remote_host_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, \
            pytest.raises(OSError, match=REFUSED):
        sock.sendto(b"x", ("10.0.0.1", 53))


def test_child_processes_inherit_the_guard() -> None:
    import subprocess
    import sys

    script = ("import socket\n"
              "try:\n"
              "    socket.getaddrinfo('example.invalid', 80)\n"
              "except OSError as exc:\n"
              "    print(exc)\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "try:\n"
              "    s.sendto(b'x', ('10.0.0.1', 53))\n"
              "except OSError as exc:\n"
              "    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ))
    assert result.stdout.count(REFUSED) == 2, result.stdout + result.stderr
