"""The practice-mode health service: FHIR R4 plus OAuth sign-in, all in memory, fictional.

``DemoBackend`` wires the parts (store, search, validation, access, booking rules, OAuth, the
phone's approval page) behind one lock and serves them over HTTP on a daemon thread;
``serve_forever`` runs it in the foreground for ``kiosk demo-backend``.
"""

from __future__ import annotations

import random
import re
import secrets
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.clock import Clock, SystemClock
from kiosk.demo.access import Access, ActsFor, family_acts_for, load_access
from kiosk.demo.device_page import DevicePage
from kiosk.demo.family import load_family
from kiosk.demo.fhir_api import FhirApi
from kiosk.demo.oauth import SECRET_ALPHABET, OAuth
from kiosk.demo.params import load_params
from kiosk.demo.portal_page import portal_page
from kiosk.demo.problem import PLAIN_JSON, Problem, Reply, json_reply
from kiosk.demo.search import Search
from kiosk.demo.seed import load_seed, plant
from kiosk.demo.server import HttpServer
from kiosk.demo.store import Store
from kiosk.demo.validate import Validator, load_rules
from translations.catalog import KIOSK_TZ

_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$")


class PracticeCodeError(LookupError):
    """``practice_approve`` could not approve: the code is unknown, expired or already used, or
    the citizen is not one of the practice citizens. The message says which."""


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


class DemoBackend:
    """In-memory FHIR R4 + OAuth on a daemon thread.

    ``poll_interval`` is the device-grant polling interval (tests use 0 or 1) and
    ``code_lifetime_s`` how long a sign-in code works. ``seed`` makes codes, tokens and new ids
    deterministic. ``public_url`` is the address phones use when it differs from host:port.
    ``delivery_client_id`` is the kiosk's delivery identity; with ``delivery_secret``
    (default: random, read it from the attribute) it gets client-credentials tokens that may
    only create submissions. ``fhir_base`` is where the FHIR API lives (``/fhir``), and
    ``/fhir/.well-known/smart-configuration`` names this service as its identity provider.
    ``acts_for`` is the proxy/parent hook (see access.py); with ``country`` and no
    ``acts_for``, that country's rules in family.yaml decide it.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None,
        seed: int | None = None, *, kiosk_name: str = "Helselos practice kiosk",
        poll_interval: int = 5, code_lifetime_s: int = 300, token_lifetime_s: int = 900,
        public_url: str | None = None, delivery_client_id: str = "helselos-kiosk-delivery",
        delivery_secret: str | None = None, acts_for: ActsFor | None = None,
        country: str | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.kiosk_name = kiosk_name
        self.public_url = public_url.rstrip("/") if public_url else None
        self.base_url = ""
        rng = random.Random(seed) if seed is not None else secrets.SystemRandom()
        self.delivery_client_id = delivery_client_id
        self.delivery_secret = delivery_secret or "".join(
            secrets.choice(SECRET_ALPHABET) for _ in range(40))
        self._lock = threading.Lock()
        self.validator = validator = Validator(load_rules())
        params = load_params()
        self.store = Store(validator.types, self.clock, rng)
        family = load_family()
        if acts_for is None and country is not None:
            acts_for = family_acts_for(family.country(country),
                                       lambda: self.clock.now().astimezone(KIOSK_TZ).date())
        self.access = Access(load_access(params, validator.types, known_areas=family.areas),
                             acts_for)
        self.oauth = OAuth(self.clock, rng, delivery_client_id=delivery_client_id,
                           delivery_secret=self.delivery_secret,
                           delivery_types=self.access.rules.delivery_may_create,
                           poll_interval=poll_interval,
                           code_lifetime_s=code_lifetime_s, token_lifetime_s=token_lifetime_s)
        self.fhir = FhirApi(self.store, validator, Search(params), self.access, self.oauth)
        seed_data = load_seed(validator, self.clock.now().astimezone(KIOSK_TZ).date())
        plant(self.store, seed_data, self.clock)
        self._sign_in_as = seed_data.sign_in_as
        self.device_page = DevicePage(self.oauth, kiosk_name, lambda: self.citizens)
        self._http = HttpServer(host, port, self.handle)

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Listen and serve on a daemon thread; returns the base URL."""
        url = self._http.start()
        self.base_url = self.public_url or url
        return self.base_url

    @property
    def fhir_base(self) -> str:
        """The FHIR API's base URL: the only address the kiosk is given in practice mode."""
        return f"{self.base_url}/fhir"

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> DemoBackend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- inspection for tests and the approval page ---------------------------------------

    def put(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Store one resource as the operator would (e.g. a new clinician): validated, no
        access check; an id is assigned when it has none. Returns the stored copy."""
        with self._lock:
            self.validator.check(resource, str(resource.get("resourceType")))
            return self.store.put(resource)

    def resources(self, kind: str) -> list[dict[str, Any]]:
        """Copies of every stored resource of a type."""
        with self._lock:
            return self.store.all(kind)

    def appointments(self) -> list[dict[str, Any]]:
        return self.resources("Appointment")

    def slots(self) -> list[dict[str, Any]]:
        return self.resources("Slot")

    @property
    def citizens(self) -> list[tuple[str, str]]:
        """(patient id, display name) of every practice citizen who can sign in, in the order
        the phone's approval page offers them."""
        found = []
        for pid in self._sign_in_as:
            patient = self.store.get("Patient", pid) or {}
            name = (patient.get("name") or [{}])[0]
            found.append((pid, " ".join([*name.get("given", []), name.get("family", "")])))
        return found

    def practice_approve(self, user_code: str, patient_id: str | None = None) -> str:
        """Approve the pending sign-in with ``user_code`` as a practice citizen, in process, as
        the phone's approval page would: ``patient_id``, by default the first citizen the page
        offers. Returns the patient id; the kiosk's poll then gets the token.

        Raises PracticeCodeError for a code that is unknown, expired or no longer pending, or
        a patient who is not a practice citizen."""
        with self._lock:
            request = self.oauth.find_user_code(user_code)
            if request is None:
                raise PracticeCodeError(f"no sign-in is waiting for the code {user_code!r}")
            if self.oauth.expired(request):
                raise PracticeCodeError(f"the sign-in code {user_code!r} has expired")
            if request.state != "pending":
                raise PracticeCodeError(f"the sign-in code {user_code!r} was already"
                                        f" {request.state}")
            offered = [pid for pid, _ in self.citizens]
            if not offered:
                raise PracticeCodeError("the practice service has no citizen to sign in as")
            chosen = offered[0] if patient_id is None else patient_id
            if chosen not in offered:
                raise PracticeCodeError(f"{chosen!r} is not a practice citizen; choose one of"
                                        f" {', '.join(offered)}")
            request.state, request.patient_id = "approved", chosen
            return chosen

    # ---- request handling ------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        url = urlsplit(target)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        with self._lock:
            try:
                if parts == ["health"] and method == "GET":
                    return json_reply(200, {"status": "ok"}, PLAIN_JSON)
                if parts == [".well-known", "oauth-authorization-server"] and method == "GET":
                    return json_reply(200, self.oauth.metadata(self._base(headers)), PLAIN_JSON)
                if parts == ["fhir", ".well-known", "smart-configuration"] and method == "GET":
                    return json_reply(200, self.oauth.smart_configuration(self._base(headers)),
                                      PLAIN_JSON)
                if parts and parts[0] == "oauth":
                    return self._oauth(method, parts[1:], body, headers)
                if parts == ["portal"] and method == "GET":
                    return portal_page(self.kiosk_name)
                if parts == ["device"]:
                    form = {k: v[0] for k, v in query.items()} if method == "GET" else _form(body)
                    return self.device_page.handle(method, form)
                if parts and parts[0] == "fhir":
                    return self.fhir.handle(method, parts[1:], query, headers, body,
                                            self._base(headers))
                raise Problem(404, f"nothing at {url.path}", "not-found")
            except Problem as problem:
                return problem.reply()

    def _base(self, headers: Any) -> str:
        """Base URL as the caller reached us (e.g. through a proxy or a LAN address)."""
        host = str(headers.get("Host") or "")
        if self.public_url or not host or not _HOST.match(host):
            return self.base_url
        return f"http://{host}"

    def _oauth(self, method: str, parts: list[str], body: bytes, headers: Any) -> Reply:
        if method != "POST" or parts not in (["device_authorization"], ["token"], ["revoke"]):
            raise Problem(404, "unknown OAuth endpoint", "invalid_request", oauth=True)
        form = _form(body)
        authorization = str(headers.get("Authorization") or "")
        no_store = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
        if parts == ["device_authorization"]:
            answer = self.oauth.authorize(form, self._base(headers))
        elif parts == ["token"]:
            answer = self.oauth.token(form, authorization)
        else:
            self.oauth.revoke(form, authorization)
            return Reply(200, b"", PLAIN_JSON, no_store)
        return json_reply(200, answer, PLAIN_JSON, no_store)


def serve_forever(
    host: str = "127.0.0.1", port: int = 8765, kiosk_name: str = "Helselos practice kiosk",
    public_url: str | None = None, country: str = "NO",
) -> None:
    """Run the demo backend in the foreground until Ctrl+C (the ``kiosk demo-backend`` command)."""
    backend = DemoBackend(host, port, kiosk_name=kiosk_name, public_url=public_url,
                          country=country)
    url = backend.start()
    print(f"Helselos demo backend at {url} (practice data only). Press Ctrl+C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        backend.stop()
