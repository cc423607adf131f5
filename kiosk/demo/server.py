"""HTTP plumbing: a threaded HTTP server on a daemon thread that hands every request to one
function and writes back its ``Reply``. It logs no request lines: they carry sign-in codes.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.demo.problem import Problem, Reply

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
Handler = Callable[[str, str, Any, bytes], Reply]
"""(method, target, headers, body) -> Reply."""


class _Server(ThreadingHTTPServer):
    handler: Handler
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A kiosk that gave up waiting is normal; anything else is a bug worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            log.error("demo backend failed on a request", exc_info=error)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "HelselosDemo/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry sign-in codes, which must not end up in a log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            reply = Problem(413, "the body is too large", "too-costly").reply()
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length > 0 else b""
            reply = self.server.handler(self.command, self.path, self.headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class HttpServer:
    """Serves ``handler`` on host:port (port 0: any free port) until ``stop()``."""

    def __init__(self, host: str, port: int, handler: Handler) -> None:
        self.host, self.port, self.handler = host, port, handler
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Listen and serve; returns ``http://host:port`` with the port actually bound."""
        server_class = _Server6 if ":" in self.host else _Server
        self._server = server_class((self.host, self.port), _RequestHandler)
        self._server.handler = self.handler
        port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name="demo-backend", daemon=True,
        )
        self._thread.start()
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
