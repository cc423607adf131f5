"""The practice-mode health service: a small FHIR R4 server plus device sign-in, all in memory.

It lets the kiosk be used and tested end to end without a real backend. Every person in it is
fictional; national ids use month + 80, the convention that marks synthetic test numbers.

Like a real FHIR server, it does not change Slots when Appointments are written: the client PUTs
the Slot itself. It does refuse an Appointment on a Slot that is not free (409), checks
``If-Match`` versions (412) and limits each token to its own patient's data (403).
"""

from __future__ import annotations

import copy
import html
import json
import logging
import random
import re
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, SystemClock

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")
NO_NATIONAL_ID = "urn:oid:2.16.578.1.12.4.1.4.1"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628 section 6.1: consonants only, so codes are easy to read out and never spell words.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
OFFICE = "Demo GP office"
CITIZENS = (
    ("kari", "Kari", "Nordmann", "15837110073"),
    ("ola", "Ola", "Nordmann", "02888510128"),
    ("fatima", "Fatima", "Ali", "30859210097"),
)
SLOT_STATUSES = {"free", "busy", "busy-unavailable", "busy-tentative", "entered-in-error"}
DAYS_AHEAD = 14
DAY_START, DAY_END, SLOT_MINUTES = time(8, 0), time(15, 0), 20
MAX_BODY = 64 * 1024
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$")
DEFAULT_PAGE, MAX_PAGE = 50, 200


class _Problem(Exception):
    """An error answer: OperationOutcome for FHIR, OAuth error JSON for /oauth."""

    def __init__(self, status: int, message: str, code: str = "invalid", *, oauth: bool = False):
        super().__init__(message)
        self.status, self.message, self.code, self.oauth = status, message, code, oauth

    def body(self) -> dict[str, Any]:
        if self.oauth:
            return {"error": self.code, "error_description": self.message}
        return {"resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": self.code, "diagnostics": self.message}]}


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/fhir+json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class _DeviceRequest:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: int
    last_poll: float | None = None
    state: str = "pending"
    """pending, approved, denied or used."""
    patient_id: str | None = None


@dataclass
class _Token:
    patient_id: str
    expires_at: float


def _json(status: int, body: Any, content_type: str = "application/fhir+json",
          headers: tuple[tuple[str, str], ...] = ()) -> _Reply:
    return _Reply(status, json.dumps(body).encode(), content_type, headers)


def _version(header: str | None) -> str | None:
    if not header:
        return None
    return header.strip().removeprefix("W/").strip('"')


def _search_url(url: str, query: dict[str, list[str]], offset: int) -> str:
    params = [(k, v) for k, vs in query.items() if k != "_offset" for v in vs]
    params.append(("_offset", str(offset)))
    return f"{url}?{urlencode(params, quote_via=quote)}"


def _parse_when(raw: str) -> tuple[str, datetime]:
    prefix = raw[:2] if raw[:2] in {"eq", "ne", "gt", "lt", "ge", "le"} else "eq"
    text = raw[2:] if raw[:2] == prefix else raw
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _Problem(400, f"not a date or time: {text!r}") from exc
    return prefix, moment if moment.tzinfo else moment.replace(tzinfo=OSLO)


def _matches_when(value: str, prefix: str, moment: datetime) -> bool:
    when = datetime.fromisoformat(value)
    return {"eq": when == moment, "ne": when != moment, "gt": when > moment,
            "lt": when < moment, "ge": when >= moment, "le": when <= moment}[prefix]


class DemoBackend:
    """In-memory FHIR R4 + RFC 8628 device sign-in on a daemon thread.

    ``poll_interval`` is the device-grant polling interval (tests use 0 or 1) and
    ``code_lifetime_s`` how long a sign-in code works. ``seed`` makes codes and tokens
    deterministic. ``public_url`` is the address phones use when it differs from host:port.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None,
        seed: int | None = None, *, kiosk_name: str = "Helselos practice kiosk",
        poll_interval: int = 5, code_lifetime_s: int = 300, token_lifetime_s: int = 900,
        public_url: str | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.clock = clock or SystemClock()
        self.kiosk_name = kiosk_name
        self.poll_interval = poll_interval
        self.code_lifetime_s = code_lifetime_s
        self.token_lifetime_s = token_lifetime_s
        self.public_url = public_url.rstrip("/") if public_url else None
        self.base_url = ""
        self._random = random.Random(seed) if seed is not None else secrets.SystemRandom()
        self._lock = threading.Lock()
        self._resources: dict[str, dict[str, dict[str, Any]]] = {}
        self._devices: dict[str, _DeviceRequest] = {}
        self._tokens: dict[str, _Token] = {}
        self._next_id = 1
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._seed_data()

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Listen and serve on a daemon thread; returns the base URL."""
        server_class = _Server6 if ":" in self.host else _Server
        self._server = server_class((self.host, self.port), _Handler)
        self._server.backend = self
        port = self._server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = self.public_url or f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name="demo-backend", daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoBackend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- inspection for tests --------------------------------------------------------------

    def appointments(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(a) for a in self._resources["Appointment"].values()]

    def slots(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(s) for s in self._resources["Slot"].values()]

    @property
    def citizens(self) -> list[tuple[str, str]]:
        """(patient id, display name) of every practice citizen."""
        return [(pid, f"{given} {family}") for pid, given, family, _ in CITIZENS]

    # ---- seed data -------------------------------------------------------------------------

    def _store(self, resource: dict[str, Any]) -> dict[str, Any]:
        kind = resource["resourceType"]
        old = self._resources.setdefault(kind, {}).get(resource["id"])
        version = int(old["meta"]["versionId"]) + 1 if old else 1
        resource["meta"] = {"versionId": str(version),
                            "lastUpdated": self.clock.now().astimezone(UTC).isoformat()}
        self._resources[kind][resource["id"]] = resource
        return resource

    def _seed_data(self) -> None:
        self._resources = {"Patient": {}, "Practitioner": {}, "Schedule": {}, "Slot": {},
                           "Appointment": {}}
        for pid, given, family, national_id in CITIZENS:
            self._store({
                "resourceType": "Patient", "id": pid,
                "identifier": [{"system": NO_NATIONAL_ID, "value": national_id}],
                "name": [{"use": "official", "family": family, "given": [given]}],
            })
        self._store({"resourceType": "Practitioner", "id": "gp",
                     "name": [{"family": "Lege", "given": ["Demo"], "prefix": ["Dr."]}]})
        self._store({"resourceType": "Schedule", "id": "gp-office", "active": True,
                     "actor": [{"reference": "Practitioner/gp", "display": OFFICE}],
                     "comment": OFFICE})
        today = self.clock.now().astimezone(OSLO).date()
        for offset in range(DAYS_AHEAD):
            day = today + timedelta(days=offset)
            if day.weekday() < 5:
                self._seed_day(day)
        now = self.clock.now()
        first = next(s for s in sorted(self._resources["Slot"].values(), key=lambda s: s["start"])
                     if datetime.fromisoformat(s["start"]) > now + timedelta(days=1))
        first["status"] = "busy"
        self._store(first)
        self._store(self._appointment(first, "kari"))

    def _seed_day(self, day: date) -> None:
        start = datetime.combine(day, DAY_START, OSLO)
        end_of_day = datetime.combine(day, DAY_END, OSLO)
        while start + timedelta(minutes=SLOT_MINUTES) <= end_of_day:
            end = start + timedelta(minutes=SLOT_MINUTES)
            self._store({
                "resourceType": "Slot", "id": f"slot-{start:%Y%m%d-%H%M}",
                "schedule": {"reference": "Schedule/gp-office"}, "status": "free",
                "start": start.isoformat(), "end": end.isoformat(), "comment": OFFICE,
            })
            start = end

    def _appointment(self, slot: dict[str, Any], patient_id: str) -> dict[str, Any]:
        rid = f"appt-{self._next_id}"
        self._next_id += 1
        return {
            "resourceType": "Appointment", "id": rid, "status": "booked",
            "slot": [{"reference": f"Slot/{slot['id']}"}],
            "start": slot["start"], "end": slot["end"], "description": OFFICE,
            "participant": [{"actor": {"reference": f"Patient/{patient_id}"},
                             "status": "accepted"}],
        }

    def _code(self, alphabet: str, length: int) -> str:
        return "".join(self._random.choice(alphabet) for _ in range(length))

    # ---- request handling ------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> _Reply:
        url = urlsplit(target)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        with self._lock:
            try:
                if parts == ["health"] and method == "GET":
                    return _json(200, {"status": "ok"}, "application/json")
                if parts and parts[0] == "oauth":
                    return self._oauth(method, parts[1:], body, self._base(headers))
                if parts == ["device"]:
                    return self._device_page(method, query, body)
                if parts and parts[0] == "fhir":
                    return self._fhir(method, parts[1:], query, headers, body)
                raise _Problem(404, f"nothing at {url.path}", "not-found")
            except _Problem as problem:
                is_oauth = problem.oauth
                extra: tuple[tuple[str, str], ...] = ()
                if problem.status == 401:
                    extra = (("WWW-Authenticate", 'Bearer realm="helselos-demo"'),)
                kind = "application/json" if is_oauth else "application/fhir+json"
                return _json(problem.status, problem.body(), kind, extra)

    # ---- OAuth device grant (RFC 8628) -----------------------------------------------------

    def _base(self, headers: Any) -> str:
        """Base URL as the caller reached us (e.g. through a proxy or a LAN address)."""
        host = str(headers.get("Host") or "")
        if self.public_url or not host or not _HOST.match(host):
            return self.base_url
        return f"http://{host}"

    def _oauth(self, method: str, parts: list[str], body: bytes, base: str) -> _Reply:
        if method != "POST" or parts not in (["device_authorization"], ["token"]):
            raise _Problem(404, "unknown OAuth endpoint", "invalid_request", oauth=True)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        no_store = (("Cache-Control", "no-store"),)
        if parts == ["device_authorization"]:
            return _json(200, self._authorize(form, base), "application/json", no_store)
        return _json(200, self._token(form), "application/json", no_store)

    def _authorize(self, form: dict[str, str], base: str) -> dict[str, Any]:
        client_id = form.get("client_id", "")
        if not client_id:
            raise _Problem(400, "client_id is required", "invalid_request", oauth=True)
        raw = self._code(USER_CODE_ALPHABET, 8)
        user_code = f"{raw[:4]}-{raw[4:]}"
        request = _DeviceRequest(
            device_code=self._code("abcdefghijklmnopqrstuvwxyz0123456789", 40),
            user_code=user_code, client_id=client_id, scope=form.get("scope", ""),
            expires_at=self.clock.monotonic() + self.code_lifetime_s,
            interval=self.poll_interval,
        )
        self._devices[request.device_code] = request
        page = f"{base}/device"
        return {
            "device_code": request.device_code, "user_code": user_code,
            "verification_uri": page,
            "verification_uri_complete": f"{page}?{urlencode({'user_code': user_code})}",
            "expires_in": self.code_lifetime_s, "interval": self.poll_interval,
        }

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != DEVICE_GRANT:
            raise _Problem(400, "only the device code grant is supported",
                           "unsupported_grant_type", oauth=True)
        request = self._devices.get(form.get("device_code", ""))
        if request is None or request.client_id != form.get("client_id"):
            raise _Problem(400, "unknown device code", "invalid_grant", oauth=True)
        if request.state == "used":
            raise _Problem(400, "this device code was already used", "invalid_grant", oauth=True)
        now = self.clock.monotonic()
        if now >= request.expires_at:
            raise _Problem(400, "the sign-in code has expired", "expired_token", oauth=True)
        too_soon = request.last_poll is not None and now - request.last_poll < request.interval
        request.last_poll = now
        if too_soon:
            request.interval += 5
            raise _Problem(400, f"poll at most every {request.interval} s", "slow_down",
                           oauth=True)
        if request.state == "denied":
            raise _Problem(400, "the citizen said no", "access_denied", oauth=True)
        if request.state == "pending" or request.patient_id is None:
            raise _Problem(400, "waiting for the citizen", "authorization_pending", oauth=True)
        request.state = "used"
        token = self._code("abcdefghijklmnopqrstuvwxyz0123456789", 43)
        self._tokens[token] = _Token(request.patient_id, now + self.token_lifetime_s)
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": self.token_lifetime_s, "scope": request.scope,
                "patient": request.patient_id}

    # ---- the verification page the phone opens ---------------------------------------------

    def _device_page(self, method: str, query: dict[str, list[str]], body: bytes) -> _Reply:
        if method == "GET":
            form = {k: v[0] for k, v in query.items()}
        elif method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        else:
            return self._page(405, "Not possible", "<p>Open this page from the kiosk.</p>")
        typed = form.get("user_code", "")
        if not typed:
            return self._page(200, "Sign in at the kiosk", _CODE_FORM)
        code = "".join(c for c in typed.upper() if c.isalpha())
        request = next((r for r in self._devices.values()
                        if r.user_code.replace("-", "") == code), None)
        if request is None:
            return self._page(404, "Code not found",
                              "<p class='error' role='alert'>We do not know this code. Check the "
                              "code on the kiosk screen and type it again.</p>" + _CODE_FORM)
        if self.clock.monotonic() >= request.expires_at:
            return self._page(410, "Code expired", "<p>This code has expired. Start sign-in "
                                                   "again on the kiosk.</p>")
        if request.state != "pending":
            return self._page(409, "Code already used", "<p>This code has already been used. "
                                                        "Start sign-in again on the kiosk.</p>")
        if method == "GET":
            return self._page(200, "Sign in at the kiosk", self._approve_form(request))
        decision = form.get("decision")
        if decision == "deny":
            request.state = "denied"
            return self._page(200, "Sign-in stopped", "<p>Sign-in stopped. Nothing was shared "
                                                      "with the kiosk.</p>")
        patient = form.get("patient", "")
        if decision != "approve" or patient not in self._resources["Patient"]:
            return self._page(400, "Choose who you are", self._approve_form(
                request, "Choose who you are, then press Yes."))
        request.state, request.patient_id = "approved", patient
        name = html.escape(self.kiosk_name)
        return self._page(200, "You are signed in",
                          f"<p>You are signed in at <strong>{name}</strong>.</p>"
                          "<p>You can put your phone away and go on at the kiosk.</p>")

    def _approve_form(self, request: _DeviceRequest, error: str = "") -> str:
        radios = "".join(
            f"<label><input type='radio' name='patient' value='{html.escape(pid)}' required> "
            f"{html.escape(name)}</label>"
            for pid, name in self.citizens
        )
        alert = f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else ""
        return (
            f"{alert}<p>Kiosk: <strong>{html.escape(self.kiosk_name)}</strong></p>"
            f"<p class='note'>Asked by: {html.escape(request.client_id)}</p>"
            f"<p>The code on this page is:</p><p class='code'>{html.escape(request.user_code)}</p>"
            "<p><strong>Is this the code on the kiosk screen?</strong> "
            "If not, press No and ask a staff member.</p>"
            "<form method='post' action='/device'>"
            f"<input type='hidden' name='user_code' value='{html.escape(request.user_code)}'>"
            "<fieldset><legend>Who are you? (practice citizens, not real people)</legend>"
            f"{radios}</fieldset>"
            "<button class='yes' type='submit' name='decision' value='approve'>"
            "Yes, sign me in</button>"
            "<button class='no' type='submit' name='decision' value='deny' formnovalidate>"
            "No, stop</button></form>"
        )

    def _page(self, status: int, title: str, main: str) -> _Reply:
        page = _TEMPLATE.substitute(
            lang="en", title=html.escape(title), main=f"<h1>{html.escape(title)}</h1>\n{main}"
        )
        return _Reply(status, page.encode(), "text/html; charset=utf-8",
                      (("Cache-Control", "no-store"), ("X-Frame-Options", "DENY")))

    # ---- FHIR R4 -----------------------------------------------------------------------------

    def _fhir(self, method: str, parts: list[str], query: dict[str, list[str]], headers: Any,
              body: bytes) -> _Reply:
        token = self._bearer(headers.get("Authorization", ""))
        base = self._base(headers)
        if not parts or len(parts) > 2 or parts[0] not in self._resources:
            raise _Problem(404, f"unknown resource type {parts[0] if parts else ''!r}",
                           "not-supported")
        kind, rid = parts[0], (parts[1] if len(parts) == 2 else None)
        if method == "GET" and rid is None:
            return _json(200, self._search(kind, query, token, base))
        if method == "GET" and rid is not None:
            resource = self._get(kind, rid, token)
            return _json(200, resource, headers=self._etag(resource))
        if method == "POST" and rid is None and kind == "Appointment":
            stored = self._create_appointment(self._body(headers, body), token)
            location = f"{base}/fhir/Appointment/{stored['id']}/_history/1"
            return _json(201, stored, headers=(("Location", location), *self._etag(stored)))
        if method == "PUT" and rid is not None and kind in ("Slot", "Appointment"):
            resource = self._body(headers, body)
            current = self._get(kind, rid, token)
            if resource.get("id") != rid:
                raise _Problem(400, "the id in the body must match the id in the URL")
            wanted = _version(headers.get("If-Match"))
            if wanted is not None and wanted != current["meta"]["versionId"]:
                raise _Problem(412, f"{kind}/{rid} has changed since it was read", "conflict")
            if kind == "Slot":
                self._check_slot(current, resource)
            else:
                self._check_appointment(resource, token, current)
            stored = self._store(resource)
            return _json(200, stored, headers=self._etag(stored))
        raise _Problem(405, f"{method} is not supported on {kind}", "not-supported")

    @staticmethod
    def _etag(resource: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return (("ETag", f'W/"{resource["meta"]["versionId"]}"'),)

    def _bearer(self, header: str) -> _Token:
        scheme, _, value = header.partition(" ")
        token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or self.clock.monotonic() >= token.expires_at:
            raise _Problem(401, "sign in first: a valid Bearer token is required", "login")
        return token

    @staticmethod
    def _body(headers: Any, body: bytes) -> dict[str, Any]:
        kind = (headers.get("Content-Type") or "").split(";")[0].strip()
        if kind not in ("application/fhir+json", "application/json"):
            raise _Problem(415, "send JSON (application/fhir+json)", "not-supported")
        try:
            resource = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Problem(400, f"the body is not valid JSON: {exc}", "structure") from exc
        if not isinstance(resource, dict):
            raise _Problem(400, "the body must be a JSON object", "structure")
        return resource

    def _get(self, kind: str, rid: str, token: _Token) -> dict[str, Any]:
        resource = self._resources[kind].get(rid)
        if resource is None:
            raise _Problem(404, f"{kind}/{rid} does not exist", "not-found")
        if kind == "Patient" and rid != token.patient_id:
            raise _Problem(403, "a token may only read its own Patient", "forbidden")
        if kind == "Appointment" and self._patient_of(resource) != token.patient_id:
            raise _Problem(403, "this Appointment belongs to someone else", "forbidden")
        return copy.deepcopy(resource)

    @staticmethod
    def _patient_of(appointment: dict[str, Any]) -> str | None:
        for participant in appointment.get("participant") or []:
            ref = str(((participant or {}).get("actor") or {}).get("reference", ""))
            if ref.startswith("Patient/"):
                return ref.removeprefix("Patient/")
        return None

    def _search(self, kind: str, query: dict[str, list[str]], token: _Token,
                base: str) -> dict[str, Any]:
        found = list(self._resources[kind].values())
        if kind == "Appointment":
            wanted = query.get("patient", [token.patient_id])[0].removeprefix("Patient/")
            if wanted != token.patient_id:
                raise _Problem(403, "a token may only search its own Appointments", "forbidden")
            found = [a for a in found if self._patient_of(a) == wanted]
        elif kind == "Patient":
            found = [p for p in found if p["id"] == token.patient_id]
        if "status" in query:
            statuses = set(query["status"][0].split(","))
            found = [r for r in found if r.get("status") in statuses]
        for name in ("start", "date"):
            for raw in query.get(name, []):
                prefix, moment = _parse_when(raw)
                found = [r for r in found if "start" in r and
                         _matches_when(r["start"], prefix, moment)]
        found.sort(key=lambda r: (r.get("start", ""), r["id"]))
        try:
            count = min(int(query.get("_count", [DEFAULT_PAGE])[0]), MAX_PAGE)
            offset = max(int(query.get("_offset", ["0"])[0]), 0)
        except ValueError as exc:
            raise _Problem(400, "_count and _offset must be whole numbers") from exc
        page = found[offset: offset + max(count, 0)]
        url = f"{base}/fhir/{kind}"
        links = [{"relation": "self", "url": _search_url(url, query, offset)}]
        if offset + count < len(found) and count > 0:
            links.append({"relation": "next", "url": _search_url(url, query, offset + count)})
        return {
            "resourceType": "Bundle", "type": "searchset", "total": len(found), "link": links,
            "entry": [{"fullUrl": f"{url}/{r['id']}",
                       "resource": copy.deepcopy(r), "search": {"mode": "match"}} for r in page],
        }

    @staticmethod
    def _check_slot(current: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("resourceType") != "Slot":
            raise _Problem(400, "resourceType must be Slot")
        if new.get("status") not in SLOT_STATUSES:
            raise _Problem(422, f"Slot.status must be one of {sorted(SLOT_STATUSES)}", "value")
        for field in ("start", "end", "schedule"):
            if new.get(field) != current.get(field):
                raise _Problem(422, f"Slot.{field} cannot change; only the status can", "value")

    def _slot_of(self, appointment: dict[str, Any]) -> dict[str, Any]:
        slots = appointment.get("slot")
        if not isinstance(slots, list) or len(slots) != 1 or not isinstance(slots[0], dict):
            raise _Problem(422, "Appointment.slot must hold exactly one Slot reference",
                           "required")
        ref = str(slots[0].get("reference", ""))
        slot = self._resources["Slot"].get(ref.removeprefix("Slot/"))
        if not ref.startswith("Slot/") or slot is None:
            raise _Problem(422, f"Appointment.slot: {ref!r} is not a known Slot", "value")
        return slot

    def _check_appointment(self, new: dict[str, Any], token: _Token,
                           current: dict[str, Any] | None) -> None:
        if new.get("resourceType") != "Appointment":
            raise _Problem(400, "resourceType must be Appointment")
        if new.get("status") not in ("booked", "cancelled"):
            raise _Problem(422, "Appointment.status must be booked or cancelled", "value")
        patient = self._patient_of(new)
        if patient is None:
            raise _Problem(422, "Appointment.participant must include the Patient", "required")
        if patient != token.patient_id:
            raise _Problem(403, "a token may only book for its own Patient", "forbidden")
        slot = self._slot_of(new)
        if current is not None and current["status"] == "cancelled":
            raise _Problem(422, "a cancelled Appointment cannot be changed", "business-rule")
        if new["status"] != "booked":
            return
        if new.get("start") != slot["start"] or new.get("end") != slot["end"]:
            raise _Problem(422, "Appointment.start and end must match its Slot", "value")
        same_slot = current is not None and self._slot_of(current)["id"] == slot["id"]
        taken = any(a["status"] == "booked" and a["id"] != new.get("id")
                    and self._slot_of(a)["id"] == slot["id"]
                    for a in self._resources["Appointment"].values())
        if not same_slot and (slot["status"] != "free" or taken):
            raise _Problem(409, f"Slot/{slot['id']} is not free", "conflict")

    def _create_appointment(self, resource: dict[str, Any], token: _Token) -> dict[str, Any]:
        if resource.get("status") != "booked":
            raise _Problem(422, "a new Appointment must have status booked", "value")
        self._check_appointment(resource, token, None)
        stored = {**resource, "id": f"appt-{self._next_id}"}
        self._next_id += 1
        return copy.deepcopy(self._store(stored))


class _Server(ThreadingHTTPServer):
    backend: DemoBackend

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A kiosk that gave up waiting is normal; anything else is a bug worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            log.error("demo backend failed on a request", exc_info=error)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "HelselosDemo/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry sign-in codes, which must not end up in a log."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            reply = _json(413, _Problem(413, "the body is too large", "too-costly").body())
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length > 0 else b""
            reply = self.server.backend.handle(self.command, self.path, self.headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


_TEMPLATE = Template(
    resources.files("kiosk.services").joinpath("verify_page.html").read_text("utf-8")
)
_CODE_FORM = (
    "<form method='get' action='/device'>"
    "<label for='user_code'>Type the code shown on the kiosk screen</label>"
    "<input type='text' id='user_code' name='user_code' autocomplete='off' "
    "autocapitalize='characters' spellcheck='false' required>"
    "<button class='yes' type='submit'>Continue</button></form>"
)


def serve_forever(
    host: str = "127.0.0.1", port: int = 8765, kiosk_name: str = "Helselos practice kiosk",
    public_url: str | None = None,
) -> None:
    """Run the demo backend in the foreground until Ctrl+C (the ``kiosk demo-backend`` command)."""
    backend = DemoBackend(host, port, kiosk_name=kiosk_name, public_url=public_url)
    url = backend.start()
    print(f"Helselos demo backend at {url} (practice data only). Press Ctrl+C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        backend.stop()
