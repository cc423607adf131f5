"""A staff webhook on loopback for the call-staff tests: it records every POST (headers and JSON
body) and answers ``status``. Its port is chosen before it starts, so a test can let the kiosk
try while nothing listens there and ``start()`` it later: a webhook that was away comes back.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.loopback import closed_port_url


class WebhookServer:
    def __init__(self) -> None:
        self.url = closed_port_url() + "/hooks/kiosk"
        self.status = 200
        self.posts: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._posted = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with owner._posted:
                    owner.posts.append((dict(self.headers.items()), body))
                    owner._posted.notify_all()
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        port = int(self.url.split(":")[2].split("/")[0])
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """The bodies of the first ``count`` posts, once that many have come."""
        with self._posted:
            if not self._posted.wait_for(lambda: len(self.posts) >= count, timeout_s):
                raise AssertionError(f"the webhook got {len(self.posts)} posts, not {count}")
            return [body for _headers, body in self.posts[:count]]

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
