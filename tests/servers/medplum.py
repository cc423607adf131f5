"""A real FHIR R4 server for the tests: tests/servers/fhir/server.js (Medplum's FhirRouter over an
in-memory repository, validating every resource written), started once per test session.

Use the ``medplum_server`` fixture (tests/conftest.py registers it): the FHIR API at ``/fhir``,
bearer tokens accepted and ignored. ``start_medplum(issuer=…, base_path=…)`` starts one that is
a SMART-on-FHIR resource server of that OpenID provider instead: it publishes
``{fhir_base}/.well-known/smart-configuration`` (unless ``smart_config=False``) and wants a JWT
access token issued for ``fhir_base`` on every request but ``metadata`` (see server.js); the
``two_origins`` fixture (two_origins.py) pairs one with an OpenID provider.

Every server records the FHIR requests it served (``seen_requests()``) and can play dead
(``set_outage(True)``: connections dropped without an answer, data kept). The server listens on
127.0.0.1 on a free port; it is stopped at the end of the session, and it also stops by itself
if this process dies, because it exits when its stdin closes.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

SERVER_DIR = Path(__file__).resolve().parent / "fhir"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
CONTROL_TIMEOUT_S = 5.0
_READY = re.compile(r"^FHIR server ready on port (\d+)$")


@dataclass(frozen=True)
class MedplumServer:
    """A running server: ``base_url`` is the root; the FHIR API is at ``fhir_base``
    (``base_url + base_path``, by default ``base_url + "/fhir"``)."""

    base_url: str
    process: subprocess.Popen[str]
    base_path: str = "/fhir"
    issuer: str | None = None

    @property
    def fhir_base(self) -> str:
        return self.base_url + self.base_path

    def seen_requests(self) -> list[dict[str, Any]]:
        """The FHIR requests served so far, oldest first: ``method``, ``path``, ``query``,
        ``status``, and from the access token ``client_id``, ``sub`` and ``scope`` (None when
        the server takes no tokens). With an issuer, refused tokens are not listed."""
        answer = requests.get(f"{self.base_url}/_test/requests", timeout=CONTROL_TIMEOUT_S)
        answer.raise_for_status()
        seen: list[dict[str, Any]] = answer.json()
        return seen

    def clear_seen_requests(self) -> None:
        """Forget the requests seen so far (the server is shared by the whole session)."""
        requests.delete(f"{self.base_url}/_test/requests",
                        timeout=CONTROL_TIMEOUT_S).raise_for_status()

    def set_outage(self, down: bool) -> None:
        """While down, every request to the FHIR API has its connection dropped unanswered."""
        requests.post(f"{self.base_url}/_test/outage", json={"down": down},
                      timeout=CONTROL_TIMEOUT_S).raise_for_status()


def _read_ready_line(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if _READY.match(lines[-1]):
            return


def start_medplum(timeout_s: float = START_TIMEOUT_S, *, issuer: str | None = None,
                  base_path: str = "/fhir", smart_config: bool = True) -> MedplumServer:
    """Start server.js and wait (bounded) for its ready line; pytest.fail says what is wrong.

    Without ``issuer`` bearer tokens are ignored; with it, the server reads the issuer's OpenID
    configuration at start-up and checks every token (the issuer must be running)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("the FHIR test server needs Node.js 20+ (apt-get install nodejs npm)")
    if not (SERVER_DIR / "node_modules" / "@medplum" / "fhir-router").is_dir():
        pytest.fail(f"the FHIR test server is not installed: run `npm ci` in {SERVER_DIR} "
                    "(./helselos.sh test does it for you)")
    if issuer is not None and not (SERVER_DIR / "node_modules" / "jose").is_dir():
        pytest.fail(f"the FHIR test server's token check needs jose: run `npm ci` in "
                    f"{SERVER_DIR} (./helselos.sh test does it for you)")
    args = [node, "server.js", "0", "--base-path", base_path,
            "--smart-config", "on" if smart_config else "off"]
    if issuer is not None:
        args += ["--issuer", issuer]
    process = subprocess.Popen(
        args, cwd=SERVER_DIR, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=_read_ready_line, args=(process, lines), daemon=True)
    reader.start()
    reader.join(timeout_s)
    ready = _READY.match(lines[-1]) if lines else None
    if ready is None:
        stop_medplum(process)
        output = "\n".join(lines[-20:]) or "(no output)"
        pytest.fail(f"the FHIR test server did not start within {timeout_s:.0f} s "
                    f"(exit code {process.returncode}); its output:\n{output}")
    # Keep draining its output so a chatty server can never block on a full pipe.
    threading.Thread(target=_drain, args=(process,), daemon=True).start()
    return MedplumServer(f"http://127.0.0.1:{ready.group(1)}", process, base_path.rstrip("/"),
                         issuer)


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _line in process.stdout:
        pass


def stop_medplum(process: subprocess.Popen[str]) -> None:
    """Close its stdin (it exits on that), then terminate, then kill; always reaps it."""
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


@pytest.fixture(scope="session")
def medplum_server() -> Iterator[MedplumServer]:
    """One Medplum FHIR server for the whole test session (it takes a few seconds to start)."""
    server = start_medplum()
    try:
        yield server
    finally:
        stop_medplum(server.process)
