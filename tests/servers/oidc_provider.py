"""Fixtures: a real OAuth 2.0 / OpenID server (npm ``oidc-provider``, tests/servers/oidc) on
127.0.0.1, and a phone that approves or denies a user code through the provider's own HTML pages.

``oidc_server`` is the stock set-up (no ``interval`` in the answer, code lifetime 300 s) with
identity ``patient``: the token answer names the signed-in person as ``patient``.
``oidc_fhiruser_server`` is the same with identity ``fhirUser``: no ``patient`` in the answer,
the id_token says ``fhirUser: "Patient/<login>"`` instead (identity ``pid`` puts ``pid`` there,
as Norway's ID-porten does). ``oidc_servers.get(device_code_ttl=…, interval=…, identity=…)``
starts (once per test session) a server with other settings, e.g. a short code lifetime for
expiry tests or an advertised interval that the server enforces with ``slow_down``. Every server
is stopped at the end of the session.

A device authorization request naming ``resource=<loopback URL>`` gets, at the token endpoint, a
JWT access token for that resource (a FHIR server started with ``issuer=``, see medplum.py).

Every server also has two confidential clients for the client credentials grant, as a delivery
service uses them: ``delivery_jwt_client_id`` authenticates with a private_key_jwt assertion
(SMART Backend Services) signed with the RSA key in ``delivery_key_file`` (PKCS#8 PEM, key id
``delivery_key_id``); ``delivery_secret_client_id`` with HTTP Basic and ``delivery_secret``.
Each server's key and secret are made for it and its files removed when it stops.

The phone is a requests session that does what a phone's browser does with each page: it opens
``verification_uri_complete``, submits the auto-posting form, confirms (or aborts) the code, logs
in through oidc-provider's development login (any login; it becomes the account id, the
id_token's ``sub``) and gives consent. The provider itself issues every code and token.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO
from urllib.parse import urljoin

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

SERVER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "helselos-kiosk"
DELIVERY_JWT_CLIENT_ID = "helselos-delivery-jwt"
DELIVERY_SECRET_CLIENT_ID = "helselos-delivery-secret"
IDENTITIES = ("patient", "fhirUser", "pid")
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
HTTP_TIMEOUT_S = 5.0
MAX_PAGES = 12
"""More page hops than an approval takes: a loop in the phone's walk fails instead of hanging."""


class PhoneError(AssertionError):
    """The phone's walk through the provider's pages did not go as a citizen's would."""


@dataclass
class _Form:
    form_id: str | None
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms on a page, with their named input values (what a browser would submit)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(values.get("id"), values.get("action", ""),
                                    values.get("method", "get").lower()))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()


def _forms(page: requests.Response) -> _Forms:
    parser = _Forms()
    parser.feed(page.text)
    return parser


class Phone:
    """One citizen's phone browser (its own cookies) talking to the provider's pages."""

    def __init__(self) -> None:
        self.browser = requests.Session()

    def close(self) -> None:
        self.browser.close()

    def _submit(self, page: requests.Response, form: _Form,
                extra: dict[str, str] | None = None) -> requests.Response:
        target = urljoin(page.url, form.action)
        data = {**form.fields, **(extra or {})}
        if form.method == "post":
            return self.browser.post(target, data=data, timeout=HTTP_TIMEOUT_S)
        return self.browser.get(target, params=data, timeout=HTTP_TIMEOUT_S)

    def open(self, verification_uri_complete: str) -> requests.Response:
        """Open the QR code's address; the page posts the code on by itself (a form_post page),
        which this does as the browser's script would. Returns the confirm page."""
        page = self.browser.get(verification_uri_complete, timeout=HTTP_TIMEOUT_S)
        parsed = _forms(page)
        if page.status_code != 200 or len(parsed.forms) != 1:
            raise PhoneError(f"the code page did not load: HTTP {page.status_code}")
        return self._submit(page, parsed.forms[0])

    def answer(self, verification_uri_complete: str, *, approve: bool,
               login: str = "kari") -> requests.Response:
        """Walk the pages to the end: approve as ``login``, or abort on the confirm page."""
        page = self.open(verification_uri_complete)
        for _ in range(MAX_PAGES):
            parsed = _forms(page)
            if page.status_code != 200 or not parsed.forms:
                return page
            form = parsed.forms[0]
            if form.form_id == "op.deviceConfirmForm":
                page = self._submit(page, form, None if approve else {"abort": "yes"})
            elif form.fields.get("prompt") == "login":
                page = self._submit(page, form, {"login": login, "password": "practice"})
            elif form.fields.get("prompt") == "consent":
                page = self._submit(page, form)
            else:
                return page
        raise PhoneError(f"the phone went through {MAX_PAGES} pages without an end")


@dataclass
class OidcServer:
    """A running oidc-provider. ``base_url`` is also its issuer."""

    base_url: str
    device_code_ttl: int
    interval: int | None
    identity: str
    delivery_key_file: Path
    """The private key of the delivery_jwt client (PKCS#8 PEM, RSA 2048, readable by us only)."""
    delivery_key_id: str
    delivery_secret: str = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    log: IO[bytes] = field(repr=False)
    client_id: str = CLIENT_ID
    delivery_jwt_client_id: str = DELIVERY_JWT_CLIENT_ID
    delivery_secret_client_id: str = DELIVERY_SECRET_CLIENT_ID

    def approve(self, verification_uri_complete: str, login: str = "kari") -> requests.Response:
        """Say yes on a phone as ``login``; fails the test unless the provider says success."""
        phone = Phone()
        try:
            page = phone.answer(verification_uri_complete, approve=True, login=login)
        finally:
            phone.close()
        if page.status_code != 200 or "Sign-in Success" not in page.text:
            raise PhoneError(f"approval did not succeed: HTTP {page.status_code}, "
                             f"page {_forms(page).title!r}")
        return page

    def deny(self, verification_uri_complete: str) -> requests.Response:
        """Press Abort on the phone's confirm page; returns the page the provider showed."""
        phone = Phone()
        try:
            return phone.answer(verification_uri_complete, approve=False)
        finally:
            phone.close()

    def log_tail(self, lines: int = 20) -> str:
        self.log.seek(0)
        return "\n".join(self.log.read().decode("utf-8", "replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Close stdin (the server exits by itself); terminate, then kill, if it does not."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # it may be gone already
                self.process.stdin.close()
        for escalate in (self.process.terminate, self.process.kill):
            try:
                self.process.wait(STOP_TIMEOUT_S)
                break
            except subprocess.TimeoutExpired:
                escalate()
        self.process.wait(STOP_TIMEOUT_S)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.log.close()
        # The key's folder is the one _delivery_key made for this server alone.
        shutil.rmtree(self.delivery_key_file.parent, ignore_errors=True)


def _read_ready_line(process: subprocess.Popen[bytes], timeout_s: float) -> str | None:
    """The server's ``READY <url>`` line, or None when it exits or stays silent too long."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        buffer = b""
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            chunk = process.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return None
            buffer += chunk
            for line in buffer.decode("utf-8", "replace").splitlines():
                if line.startswith("READY "):
                    return line.split(" ", 1)[1].strip()
    return None


def _delivery_key() -> tuple[Path, Path, str]:
    """A fresh RSA key for the delivery_jwt client: (private PEM file, public JWKS file, key id),
    both in a new folder only this user can read."""
    folder = Path(tempfile.mkdtemp(prefix="oidc-delivery-"))  # mode 0700
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = secrets.token_hex(8)
    private_file = folder / "delivery-key.pem"
    # O_EXCL and 0600 from the start: the private key is never readable by others, even briefly.
    fd = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    public = {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
              "kid": key_id, "alg": "RS384", "use": "sig"}
    jwks_file = folder / "delivery-jwks.json"
    jwks_file.write_text(json.dumps({"keys": [public]}), encoding="utf-8")
    return private_file, jwks_file, key_id


def start_oidc_server(device_code_ttl: int = 300, interval: int | None = None,
                      identity: str = "fhirUser") -> OidcServer:
    """Start tests/servers/oidc/server.js on a free loopback port; fail clearly if it cannot."""
    if identity not in IDENTITIES:
        raise ValueError(f"identity must be one of {IDENTITIES}, not {identity!r}")
    node = shutil.which("node")
    if node is None:
        pytest.fail("the OAuth test server needs Node.js 20+ (apt-get install nodejs npm)")
    if not (SERVER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"the OAuth test server is not installed: run `npm ci` in {SERVER_DIR} "
                    "(./helselos.sh test does it)")
    key_file, jwks_file, key_id = _delivery_key()
    secret = secrets.token_urlsafe(24)
    args = [node, "server.js", "--port", "0", "--device-code-ttl", str(device_code_ttl),
            "--identity", identity, "--delivery-jwks", str(jwks_file)]
    if interval is not None:
        args += ["--interval", str(interval)]
    # The secret goes in the environment, not the arguments, which any local user can list.
    env = {**os.environ, "OIDC_DELIVERY_SECRET": secret}
    # A file, not a pipe: nobody reads the server's warnings unless it fails, and a full pipe
    # would block it. OidcServer.stop() closes it.
    log = tempfile.TemporaryFile(prefix="oidc-server-")  # noqa: SIM115
    try:
        process = subprocess.Popen(args, cwd=SERVER_DIR, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=log, env=env)
    except BaseException:
        log.close()
        shutil.rmtree(key_file.parent, ignore_errors=True)
        raise
    server = OidcServer("", device_code_ttl, interval, identity, key_file, key_id, secret,
                        process, log)
    url = _read_ready_line(process, START_TIMEOUT_S)
    if url is None:
        code = process.poll()
        tail = server.log_tail()
        server.stop()
        state = f"exited with {code}" if code is not None else (
            f"did not say READY within {START_TIMEOUT_S:.0f} s")
        pytest.fail(f"the OAuth test server in {SERVER_DIR} {state}; if node_modules is "
                    f"missing or stale, run `npm ci` there. Its last output:\n{tail}")
    server.base_url = url
    return server


class OidcServers:
    """Servers started on demand, one per distinct setting, stopped together."""

    def __init__(self) -> None:
        self._running: dict[tuple[int, int | None, str], OidcServer] = {}

    def get(self, device_code_ttl: int = 300, interval: int | None = None,
            identity: str = "patient") -> OidcServer:
        """The server with these settings, started on first use. Identity ``patient`` by
        default, which the sign-in tests written before fhirUser rely on."""
        key = (device_code_ttl, interval, identity)
        if key not in self._running:
            self._running[key] = start_oidc_server(device_code_ttl, interval, identity)
        return self._running[key]

    def close(self) -> None:
        for server in self._running.values():
            server.stop()
        self._running.clear()


@pytest.fixture(scope="session")
def oidc_servers() -> Iterator[OidcServers]:
    servers = OidcServers()
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="session")
def oidc_server(oidc_servers: OidcServers) -> OidcServer:
    """The stock oidc-provider set-up: no interval advertised, codes live 300 s, and the token
    answer names the person as ``patient``."""
    return oidc_servers.get(identity="patient")


@pytest.fixture(scope="session")
def oidc_fhiruser_server(oidc_servers: OidcServers) -> OidcServer:
    """As ``oidc_server``, but the person is named only by the id_token's ``fhirUser`` claim."""
    return oidc_servers.get(identity="fhirUser")
