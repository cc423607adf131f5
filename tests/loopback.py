"""Loopback addresses for tests that need a service to be away."""

from __future__ import annotations

import socket


def closed_port_url() -> str:
    """A loopback address where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
