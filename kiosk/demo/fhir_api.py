"""The FHIR R4 REST interactions of the practice service: capabilities, read, search, create
(also conditional, with ``If-None-Exist``) and update (with ``If-Match`` versions).

Each request runs the same steps a validating server with access control runs: who is asking
(401), may they touch this type (403), booking rules (409/422), is the resource valid (400),
does it belong to whom they may act for (403), then store.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from kiosk.demo import booking
from kiosk.demo.access import Access, Token
from kiosk.demo.oauth import OAuth
from kiosk.demo.params import normal_reference
from kiosk.demo.problem import Headers, Problem, Reply, json_reply, outcome
from kiosk.demo.search import Query, Search
from kiosk.demo.store import Store
from kiosk.demo.validate import Validator


def _version(header: str | None) -> str | None:
    if not header:
        return None
    return header.strip().removeprefix("W/").strip('"')


def _etag(resource: dict[str, Any]) -> Headers:
    return (("ETag", f'W/"{resource["meta"]["versionId"]}"'),
            ("Last-Modified", resource["meta"]["lastUpdated"]))


def _content(resource: dict[str, Any]) -> dict[str, Any]:
    """What a client wrote: everything but the server's id and meta."""
    return {k: v for k, v in resource.items() if k not in ("id", "meta")}


def _body(headers: Any, body: bytes) -> dict[str, Any]:
    kind = (headers.get("Content-Type") or "").split(";")[0].strip()
    if kind not in ("application/fhir+json", "application/json"):
        raise Problem(415, "send JSON (application/fhir+json)", "not-supported")
    try:
        resource = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"the body is not valid JSON: {exc}", "structure") from exc
    if not isinstance(resource, dict):
        raise Problem(400, "the body must be a JSON object", "structure")
    return resource


class FhirApi:
    """Answers requests under ``/fhir``; the caller holds the backend's lock."""

    def __init__(self, store: Store, validator: Validator, search: Search, access: Access,
                 oauth: OAuth) -> None:
        self.store, self.validator, self.search = store, validator, search
        self.access, self.oauth = access, oauth

    def handle(self, method: str, parts: list[str], query: Query, headers: Any, body: bytes,
               base: str) -> Reply:
        if parts == ["metadata"] and method == "GET":
            return json_reply(200, self.capabilities(base))
        token = self.oauth.bearer(headers.get("Authorization", ""))
        if not parts or len(parts) > 2 or parts[0] not in self.store.types:
            raise Problem(404, f"unknown resource type {parts[0] if parts else ''!r}",
                          "not-supported")
        kind, rid = parts[0], (parts[1] if len(parts) == 2 else None)
        if method == "GET" and rid is None:
            return json_reply(200, self._search(token, kind, query, headers, base))
        if method == "GET" and rid is not None:
            resource = self._read(token, kind, rid)
            return json_reply(200, resource, headers=_etag(resource))
        if method == "POST" and rid is None:
            return self._create(token, kind, _body(headers, body), headers, base)
        if method == "PUT" and rid is not None:
            return self._update(token, kind, rid, _body(headers, body), headers)
        raise Problem(405, f"{method} is not supported here", "not-supported")

    def capabilities(self, base: str) -> dict[str, Any]:
        """The CapabilityStatement: what this server does, derived from its data files."""
        return {
            "resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
            "date": "2024-01-01", "fhirVersion": "4.0.1", "format": ["json"],
            "software": {"name": "Helselos practice service (fictional data only)"},
            "implementation": {"description": "Helselos practice service", "url": f"{base}/fhir"},
            "rest": [{"mode": "server", "resource": [
                {"type": kind,
                 "interaction": [{"code": c} for c in ("read", "search-type", "create",
                                                       "update")],
                 "versioning": "versioned", "conditionalCreate": True,
                 "searchParam": [{"name": p.name, "type": p.type}
                                 for p in self.search.params.get(kind, {}).values()]}
                for kind in sorted(self.store.types)
            ]}],
        }

    # ---- interactions ----------------------------------------------------------------------

    def _read(self, token: Token, kind: str, rid: str) -> dict[str, Any]:
        if token.kind == "delivery":
            raise Problem(403, "the kiosk's delivery identity may not read anything",
                          "forbidden")
        resource = self.store.get(kind, rid)
        if resource is None:
            raise Problem(404, f"{kind}/{rid} does not exist", "not-found")
        self.access.check_read(self.store, token, kind, resource)
        return resource

    def _search(self, token: Token, kind: str, query: Query, headers: Any,
                base: str) -> dict[str, Any]:
        self.access.check_search(self.store, token, kind, self._patients_named(kind, query))
        strict = "handling=strict" in (headers.get("Prefer") or "").replace(" ", "")
        query = self.search.applied(kind, query, strict=strict)
        visible = [r for r in self.store.all(kind)
                   if self.access.may_read(self.store, token, kind, r)]
        found = self.search.sort(kind, self.search.filter(kind, visible, query), query)
        return self.search.bundle(kind, found, query, f"{base}/fhir/{kind}")

    def _patients_named(self, kind: str, query: Query) -> list[str]:
        """Patients a search on a patient's own data asks about (``patient=``, ``subject=``)."""
        if self.access.owners(kind, {}) is None:
            return []
        named = []
        for key, raws in query.items():
            name, _, modifier = key.partition(":")
            param = self.search.params.get(kind, {}).get(name)
            if param is None or param.type != "reference" or modifier == "missing":
                continue
            target = modifier or param.target
            for raw in (v for r in raws for v in r.split(",")):
                ref = normal_reference(raw) if "/" in raw else f"{target}/{raw}"
                if ref.startswith("Patient/"):
                    named.append(ref)
        return named

    def _create(self, token: Token, kind: str, resource: dict[str, Any], headers: Any,
                base: str) -> Reply:
        self.access.check_kind(token, kind, create=True)
        condition = headers.get("If-None-Exist")
        if condition:
            existing = self._conditional_match(token, kind, condition)
            if existing is not None:
                return self._answer(200, token, existing, headers, base,
                                    retry_of=resource)
        resource = {k: v for k, v in resource.items() if k != "id"}
        if kind == "Appointment":
            booking.check_appointment(self.store, resource,
                                      self.access.patients(self.store, token), None)
        self.validator.check(resource, kind)
        self.access.check_write(self.store, token, kind, resource, create=True)
        stored = self.store.put(resource)
        return self._answer(201, token, stored, headers, base)

    def _update(self, token: Token, kind: str, rid: str, resource: dict[str, Any],
                headers: Any) -> Reply:
        self.access.check_kind(token, kind, create=False)
        current = self._read(token, kind, rid)
        if resource.get("id") != rid:
            raise Problem(400, "the id in the body must match the id in the URL",
                          expression=f"{kind}.id")
        wanted = _version(headers.get("If-Match"))
        if wanted is not None and wanted != current["meta"]["versionId"]:
            raise Problem(412, f"{kind}/{rid} has changed since it was read", "conflict")
        if kind == "Slot":
            booking.check_slot(current, resource)
        elif kind == "Appointment":
            booking.check_appointment(self.store, resource,
                                      self.access.patients(self.store, token), current)
        self.validator.check(resource, kind)
        if kind != "Slot":
            self.access.check_write(self.store, token, kind, resource, create=False)
        stored = self.store.put(resource)
        return json_reply(200, self._prefer(stored, headers), headers=_etag(stored))

    # ---- helpers ---------------------------------------------------------------------------

    def _conditional_match(self, token: Token, kind: str,
                           condition: str) -> dict[str, Any] | None:
        query = parse_qs(condition.removeprefix("?"), keep_blank_values=False)
        if not query:
            raise Problem(400, "If-None-Exist must be a search, e.g. identifier=system|value")
        query = self.search.applied(kind, query, strict=True)
        candidates = [r for r in self.store.all(kind) if token.kind == "delivery"
                      or self.access.may_read(self.store, token, kind, r)]
        found = self.search.filter(kind, candidates, query)
        if len(found) > 1:
            raise Problem(412, f"If-None-Exist matches {len(found)} {kind} resources",
                          "duplicate")
        return found[0] if found else None

    def _answer(self, status: int, token: Token, resource: dict[str, Any], headers: Any,
                base: str, *, retry_of: dict[str, Any] | None = None) -> Reply:
        """``retry_of``: the body of a conditional create that matched ``resource``."""
        kind, rid = resource["resourceType"], resource["id"]
        location = f"{base}/fhir/{kind}/{rid}/_history/{resource['meta']['versionId']}"
        extra = (("Location", location), *_etag(resource))
        if (retry_of is not None and token.kind == "delivery"
                and _content(retry_of) != _content(resource)):
            # The delivery identity reads nothing: it gets a match back only when it sent
            # that very content (a retry), so guessing an identifier reveals no one's data,
            # not even an id.
            return json_reply(status, outcome("information", "informational",
                                              f"a {kind} with this identifier exists"))
        return json_reply(status, self._prefer(resource, headers), headers=extra)

    @staticmethod
    def _prefer(resource: dict[str, Any], headers: Any) -> Any:
        prefer = (headers.get("Prefer") or "").replace(" ", "")
        if "return=OperationOutcome" in prefer:
            return outcome("information", "informational",
                           f"stored {resource['resourceType']}/{resource['id']}")
        return resource
