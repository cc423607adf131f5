"""The one HTTP client every backend call goes through, and the typed errors it raises.

Each error carries a ``msgid``: a plain English sentence for the citizen saying what happened and
what to do next (the UI translates it). ``str()`` of an error is for developers and holds the
method, a path with ids blanked out, the status and the server's own error text, never a body.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from translations.catalog import N_

log = logging.getLogger(__name__)

RETRY_STATUSES = (502, 503, 504)
# POST is left out on purpose: repeating a create could book the same slot twice.
RETRY_METHODS = frozenset({"GET", "PUT", "DELETE"})
_MAX_DETAIL = 300
_WORD = re.compile(r"^[A-Za-z_$-]+$")



class ServiceError(Exception):
    """Any failure talking to a backend. ``msgid`` is what the citizen is told."""

    msgid = N_("Something went wrong with the health service. Please ask a staff member for help.")
    needs_sign_in = False
    """True when signing in again is the way on (the token expired or was never there)."""


class ServiceUnavailable(ServiceError):
    """Nothing answered: connection refused, unknown host, network down."""

    msgid = N_(
        "The health service is not answering. "
        "Try again in a minute, or ask a staff member for help."
    )


class ServiceTimeout(ServiceError):
    """The backend took longer than the configured timeout."""

    msgid = N_(
        "The health service is taking too long to answer. "
        "Try again in a minute, or ask a staff member for help."
    )


class BadResponse(ServiceError):
    """The backend answered with something that is not the JSON we expect."""

    msgid = N_(
        "The health service sent an answer the kiosk cannot read. "
        "Try again later, or ask a staff member for help."
    )


_REJECTED_MSGIDS = {
    401: N_("You are no longer signed in. Please sign in again."),
    403: N_("You are not allowed to do this. Please ask a staff member for help."),
    404: N_("We could not find what you asked for. It may have been changed. Please start again."),
    409: N_("Someone else changed this just now. Please choose again."),
    412: N_("Someone else changed this just now. Please choose again."),
}


class ServiceRejected(ServiceError):
    """The backend said no (HTTP 4xx or 5xx).

    ``detail`` is the server's own explanation (FHIR OperationOutcome diagnostics or OAuth
    ``error_description``); ``code`` is the OAuth ``error`` or the first OperationOutcome issue
    code, so callers can tell e.g. ``authorization_pending`` from a real refusal.
    """

    def __init__(
        self, status: int, detail: str = "", *, code: str | None = None, where: str = ""
    ) -> None:
        self.status = status
        self.detail = detail
        self.code = code
        where = f"{where}: " if where else ""
        super().__init__(f"{where}HTTP {status}" + (f": {detail}" if detail else ""))

    @property
    def needs_sign_in(self) -> bool:  # type: ignore[override]  # by status here, a constant elsewhere
        return self.status == 401

    @property
    def msgid(self) -> str:  # type: ignore[override]  # by status here, a constant elsewhere
        if self.status in _REJECTED_MSGIDS:
            return _REJECTED_MSGIDS[self.status]
        if self.status >= 500:
            return N_(
                "The health service has a problem right now. "
                "Try again later, or ask a staff member for help."
            )
        return N_("The health service could not do this. Please ask a staff member for help.")


def redact_path(path: str) -> str:
    """The path without query and with every id-like segment blanked, safe for logs."""
    parts: list[str] = []
    previous = ""
    for part in (p for p in urlsplit(path).path.split("/") if p):
        # After a resource type (Patient/...) or _history comes an id, whatever it looks like.
        is_id = previous[:1].isupper() or previous == "_history" or not _WORD.match(part)
        parts.append("{id}" if is_id else part)
        previous = part
    return "/" + "/".join(parts)


def error_detail(body: Any) -> tuple[str, str | None]:
    """(detail, code) from a FHIR OperationOutcome or an OAuth error object."""
    if not isinstance(body, dict):
        return "", None
    if body.get("resourceType") == "OperationOutcome":
        texts: list[str] = []
        code = None
        for issue in body.get("issue") or []:
            if not isinstance(issue, dict):
                continue
            code = code or issue.get("code")
            text = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
            where = issue.get("expression") or issue.get("location") or []
            if text and isinstance(where, list) and where:
                # Staff need to know which element was refused, not only that one was.
                text = f"{text} (at {', '.join(map(str, where[:3]))})"
            if text:
                texts.append(str(text))
        return "; ".join(texts)[:_MAX_DETAIL], code
    if "error" in body:
        code = str(body["error"])
        description = body.get("error_description")
        detail = f"{code}: {description}" if description else code
        return detail[:_MAX_DETAIL], code
    return "", None


class HttpClient:
    """JSON over HTTP with timeouts on every call and retries for idempotent methods only.

    Screens' workers, sign-in polling and the outbox's delivery loop call it from different
    threads at once; a ``requests.Session`` is not made for that, so each request borrows a
    session no other request is using (kept for reuse: as many as ever ran at once), and
    ``close()`` closes them all.
    """

    def __init__(
        self, base_url: str, timeout_s: float = 5, retries: int = 2, backoff_s: float = 0.2
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._retry = Retry(
            total=retries,
            backoff_factor=backoff_s,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=RETRY_METHODS,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self._idle: list[requests.Session] = []
        self._lock = threading.Lock()

    @contextmanager
    def _borrowed(self) -> Iterator[requests.Session]:
        """A session for one request, returned for reuse afterwards."""
        with self._lock:
            session = self._idle.pop() if self._idle else None
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=self._retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        try:
            yield session
        finally:
            with self._lock:
                self._idle.append(session)

    def close(self) -> None:
        with self._lock:
            sessions, self._idle = self._idle, []
        for session in sessions:
            session.close()

    def url(self, path: str) -> str:
        """Absolute URL for a path; absolute URLs (paging links, endpoints named in metadata)
        must stay under this client's base URL."""
        if path.startswith(("http://", "https://")):
            if not path.startswith(self.base_url + "/"):
                raise BadResponse(f"refusing to follow a link to another host: {redact_path(path)}")
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("DELETE", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """Send one request and return the parsed JSON object ({} for an empty body)."""
        url = self.url(path)
        where = f"{method} {redact_path(url[len(self.base_url):])}"
        sent = {"Accept": "application/fhir+json, application/json"}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        try:
            with self._borrowed() as session:
                response = session.request(
                    method, url, params=params, json=json, data=data, headers=sent,
                    timeout=(self.timeout_s, self.timeout_s), allow_redirects=False,
                )
        except requests.Timeout as exc:
            log.info("%s timed out", where)
            raise ServiceTimeout(f"{where}: no answer within {self.timeout_s} s") from exc
        except requests.ConnectionError as exc:
            # Once retries run out, requests reports a read timeout as a ConnectionError.
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, MaxRetryError) and isinstance(cause.reason, ReadTimeoutError):
                log.info("%s timed out", where)
                raise ServiceTimeout(f"{where}: no answer within {self.timeout_s} s") from exc
            log.info("%s: backend unreachable", where)
            raise ServiceUnavailable(f"{where}: cannot connect to {self.base_url}") from exc
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"{where}: {type(exc).__name__}") from exc
        log.debug("%s -> %s", where, response.status_code)
        body = self._parse(response, where)
        if response.status_code >= 400:
            detail, code = error_detail(body)
            raise ServiceRejected(response.status_code, detail, code=code, where=where)
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise BadResponse(f"{where}: expected a JSON object, got {type(body).__name__}")
        return body

    @staticmethod
    def _parse(response: requests.Response, where: str) -> Any:
        if not response.content.strip():
            return None
        try:
            return jsonlib.loads(response.content)
        except ValueError as exc:
            if response.status_code >= 400:
                # An error page from a proxy: the status still says what happened.
                return None
            kind = response.headers.get("Content-Type", "unknown type")
            status = response.status_code
            raise BadResponse(f"{where}: HTTP {status} answer is not JSON ({kind})") from exc


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute http(s) URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {redact_path(url)}")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class HttpPool:
    """The kiosk's HTTP clients, each held to its own base URL, closed together.

    The identity provider's endpoints live on hosts the operator never typed (the FHIR server's
    SMART document names the issuer, the issuer's metadata names its endpoints); each origin
    gets a client of its own with the same timeouts, so no client ever follows a link to
    another host. The FHIR API has one anchored at its base URL, so its paging links must stay
    under that base.
    """

    def __init__(self, timeout_s: float = 5, retries: int = 2) -> None:
        self.timeout_s, self.retries = timeout_s, retries
        self._clients: dict[str, HttpClient] = {}
        self._lock = threading.Lock()

    def at(self, base_url: str) -> HttpClient:
        """The client whose base URL is ``base_url`` (made on first use)."""
        base_url = base_url.rstrip("/")
        with self._lock:
            if base_url not in self._clients:
                self._clients[base_url] = HttpClient(base_url, self.timeout_s, self.retries)
            return self._clients[base_url]

    def client(self, url: str) -> HttpClient:
        """The client for the origin of ``url`` (an absolute http or https URL)."""
        try:
            return self.at(origin_of(url))
        except ValueError as exc:
            raise BadResponse(str(exc)) from exc

    def request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One request to an absolute URL, through the client of its origin."""
        return self.client(url).request(method, url, **kwargs)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
