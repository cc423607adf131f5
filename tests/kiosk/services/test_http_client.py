"""HttpClient against real loopback servers: errors are typed, only idempotent calls retry."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.demo import DemoBackend
from kiosk.services.http import (
    BadResponse,
    HttpClient,
    ServiceRejected,
    ServiceTimeout,
    ServiceUnavailable,
    error_detail,
    redact_path,
)


class Scripted:
    """A loopback server that answers every request the same way and counts them."""

    def __init__(self, status: int, body: bytes, content_type: str, delay_s: float = 0) -> None:
        self.count = 0
        self.release = threading.Event()
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                scripted.count += 1
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if delay_s:
                    scripted.release.wait(delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except ConnectionError:
                    pass  # the client gave up waiting, which is what the timeout tests want

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def make(status: int = 200, body: bytes = b"{}", content_type: str = "application/json",
             delay_s: float = 0) -> Scripted:
        server = Scripted(status, body, content_type, delay_s)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_get_parses_json_from_the_demo_backend(backend: DemoBackend) -> None:
    client = HttpClient(backend.base_url, timeout_s=5)
    assert client.get("/health") == {"status": "ok"}


def test_threads_at_once_each_get_a_session_of_their_own_and_they_are_reused(
    backend: DemoBackend,
) -> None:
    client = HttpClient(backend.base_url, timeout_s=5)
    threads_n, rounds = 6, 15
    start = threading.Barrier(threads_n)
    answers: list[dict[str, object]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(5)
            for _ in range(rounds):
                answers.append(client.get("/health"))
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads_n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert errors == []
    assert answers == [{"status": "ok"}] * (threads_n * rounds)
    # Never more sessions than requests ran at once; never one per request.
    assert 1 <= len(client._idle) <= threads_n
    client.close()
    assert client._idle == []


def test_closed_port_is_service_unavailable_with_a_plain_message() -> None:
    client = HttpClient(f"http://127.0.0.1:{closed_port()}", timeout_s=2, retries=1,
                        backoff_s=0)
    with pytest.raises(ServiceUnavailable) as caught:
        client.get("fhir/Patient/kari")
    assert caught.value.msgid.startswith("The health service is not answering.")
    assert "kari" not in str(caught.value)


@pytest.mark.parametrize(("method", "expected_requests"), [("GET", 2), ("POST", 1)])
def test_slow_server_is_service_timeout_and_post_is_not_repeated(
    scripted: Callable[..., Scripted], method: str, expected_requests: int
) -> None:
    server = scripted(delay_s=10)
    client = HttpClient(server.url, timeout_s=0.3, retries=1, backoff_s=0)
    with pytest.raises(ServiceTimeout) as caught:
        client.request(method, "/slow", json={"a": 1})
    assert "taking too long" in caught.value.msgid
    assert server.count == expected_requests


def test_non_json_answer_is_bad_response(scripted: Callable[..., Scripted]) -> None:
    server = scripted(body=b"<html>login portal</html>", content_type="text/html")
    with pytest.raises(BadResponse) as caught:
        HttpClient(server.url, timeout_s=2).get("/x")
    assert "login portal" not in str(caught.value)


def test_json_that_is_not_an_object_is_bad_response(scripted: Callable[..., Scripted]) -> None:
    server = scripted(body=b"[1, 2]")
    with pytest.raises(BadResponse):
        HttpClient(server.url, timeout_s=2).get("/x")


def test_empty_body_is_an_empty_dict(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status=204, body=b"")
    assert HttpClient(server.url, timeout_s=2).put("/x", json={}) == {}


@pytest.mark.parametrize(("method", "expected_requests"),
                         [("GET", 3), ("PUT", 3), ("DELETE", 3), ("POST", 1)])
def test_503_is_retried_for_idempotent_methods_only(
    scripted: Callable[..., Scripted], method: str, expected_requests: int
) -> None:
    server = scripted(status=503, body=b'{"secret": "never shown"}')
    client = HttpClient(server.url, timeout_s=2, retries=2, backoff_s=0)
    with pytest.raises(ServiceRejected) as caught:
        client.request(method, "/busy")
    assert caught.value.status == 503
    assert server.count == expected_requests
    assert "never shown" not in str(caught.value)
    assert "problem right now" in caught.value.msgid


def test_400_is_not_retried(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status=400, body=b'{"error": "invalid_request"}')
    with pytest.raises(ServiceRejected) as caught:
        HttpClient(server.url, timeout_s=2, retries=2, backoff_s=0).get("/x")
    assert server.count == 1
    assert caught.value.code == "invalid_request"


def test_operation_outcome_detail_reaches_the_error(backend: DemoBackend) -> None:
    with pytest.raises(ServiceRejected) as caught:
        HttpClient(backend.base_url, timeout_s=5).get("fhir/Slot", token="not-a-token")
    assert caught.value.status == 401
    assert "Bearer token is required" in caught.value.detail
    assert caught.value.msgid == "You are no longer signed in. Please sign in again."


def test_oauth_error_detail_reaches_the_error(backend: DemoBackend) -> None:
    client = HttpClient(backend.base_url, timeout_s=5)
    with pytest.raises(ServiceRejected) as caught:
        client.post("oauth/token", data={"grant_type": "password"})
    assert caught.value.code == "unsupported_grant_type"
    assert "device code grant" in caught.value.detail


def test_links_to_another_host_are_refused() -> None:
    client = HttpClient("http://127.0.0.1:1/base")
    assert client.url("/fhir/Slot") == "http://127.0.0.1:1/base/fhir/Slot"
    with pytest.raises(BadResponse):
        client.url("http://127.0.0.2:1/base/fhir/Slot")


def test_redacted_paths_keep_no_ids() -> None:
    assert redact_path("/fhir/Patient/kari?identifier=123") == "/fhir/Patient/{id}"
    assert redact_path("/fhir/Slot/slot-1/_history/3") == "/fhir/Slot/{id}/_history/{id}"
    assert redact_path("/oauth/token") == "/oauth/token"
    assert redact_path("http://10.0.0.1:8/fhir/Slot?_offset=9") == "/fhir/Slot"


def test_error_detail_reads_both_shapes() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [
        {"code": "conflict", "diagnostics": "taken"}, {"details": {"text": "try another"}}]}
    assert error_detail(outcome) == ("taken; try another", "conflict")
    assert error_detail({"error": "slow_down"}) == ("slow_down", "slow_down")
    assert error_detail(json.loads('{"other": 1}')) == ("", None)


def test_error_detail_names_the_refused_element() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [
        {"code": "required", "diagnostics": "Missing required property",
         "expression": ["Observation.status"]}]}
    assert error_detail(outcome) == ("Missing required property (at Observation.status)",
                                     "required")
