"""A real HTTP server on loopback that serves JSON documents a test sets, by path.

For what no real server here can be made to do on purpose: metadata naming the wrong issuer, an
endpoint on a plain-http stranger, a key set that rotates. ``documents`` maps a path to the JSON
answered for GET; any other path is 404; ``hits`` counts requests per path.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class DocumentsServer:
    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                owner.hits[path] += 1
                document = owner.documents.get(path)
                body = json.dumps(document if document is not None
                                  else {"error": "not_found"}).encode()
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def documents() -> Iterator[DocumentsServer]:
    server = DocumentsServer()
    yield server
    server.close()
