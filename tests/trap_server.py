"""A trap on loopback standing in for a real health service that must never be reached: it
records every request, whatever the method or path, and answers 500. A test asserts it got
none; ``close()`` stops it (the test's fixture does, so it never outlives the test)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TrapServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        """``METHOD path`` of every request that reached the trap."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _caught(self) -> None:
                owner.requests.append(f"{self.command} {self.path}")
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _caught

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
