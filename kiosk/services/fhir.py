"""A small FHIR R4 REST client: search (following paging links), read, create and update.

Updates send ``If-Match`` with the version the resource was read at, so two kiosks changing the
same Slot at once cannot both win: the second gets HTTP 412 (a ``ServiceRejected``). A create
may carry ``If-None-Exist`` (FHIR conditional create), so sending the same submission twice
stores it once. A resource the server refuses as invalid (400/422 with an OperationOutcome)
raises ``ResourceInvalid``: sending it again cannot help.
"""

from __future__ import annotations

from typing import Any

from kiosk.fhir_syntax import ID, RESOURCE_TYPE
from kiosk.services.http import BadResponse, HttpClient, ServiceRejected
from translations.catalog import N_

NO_NATIONAL_ID = "urn:oid:2.16.578.1.12.4.1.4.1"
"""Identifier system of the Norwegian national identity number (fødselsnummer)."""

FHIR_JSON = "application/fhir+json"


class ResourceInvalid(ServiceRejected):
    """The server refused a resource as invalid (HTTP 400 or 422).

    ``detail`` holds the server's OperationOutcome text (which element, which rule), for staff
    and developers; the citizen hears ``msgid``. A retry sends the same data and fails the same.
    """

    INVALID_STATUSES = frozenset({400, 422})

    @property
    def msgid(self) -> str:  # type: ignore[override]  # by status here, a constant elsewhere
        return N_(
            "The health service did not accept what the kiosk sent, so it was not saved. "
            "Please ask a staff member for help."
        )


def check_id(resource_id: str) -> str:
    """A FHIR logical id, refused when it could change the request path."""
    if not ID.match(resource_id):
        raise ValueError(f"not a FHIR id: {resource_id!r}")
    return resource_id


def _check_type(resource_type: str) -> str:
    if not RESOURCE_TYPE.match(resource_type):
        raise ValueError(f"not a FHIR resource type: {resource_type!r}")
    return resource_type


def reference_id(reference: str, resource_type: str) -> str:
    """The id in a relative reference like ``Slot/abc``; BadResponse if it is another type."""
    kind, _, rid = reference.rpartition("/")
    if kind.rpartition("/")[2] != resource_type or not ID.match(rid):
        raise BadResponse(f"expected a reference to a {resource_type}, got another kind")
    return rid


class FhirClient:
    """FHIR R4 interactions over one ``HttpClient`` whose base URL is the FHIR base (any path,
    e.g. ``https://fhir.example.org/fhir/R4``); paging links must stay under it.

    Searches stop after ``max_pages`` pages, so a server whose paging never ends cannot keep
    a citizen waiting.
    """

    def __init__(self, http: HttpClient, max_pages: int = 20) -> None:
        self.http = http
        self.max_pages = max_pages

    @staticmethod
    def _path(resource_type: str, resource_id: str | None = None) -> str:
        path = _check_type(resource_type)
        return f"{path}/{check_id(resource_id)}" if resource_id is not None else path

    def search(
        self, resource_type: str, params: dict[str, Any], token: str
    ) -> list[dict[str, Any]]:
        """The matching resources of every page of a searchset Bundle."""
        found: list[dict[str, Any]] = []
        path: str | None = self._path(resource_type)
        query: dict[str, Any] | None = params
        for _page in range(self.max_pages):
            if path is None:
                break
            bundle = self.http.get(path, params=query, token=token)
            if bundle.get("resourceType") != "Bundle":
                raise BadResponse(f"search {resource_type}: answer is not a Bundle")
            for entry in bundle.get("entry") or []:
                resource = entry.get("resource") if isinstance(entry, dict) else None
                mode = (entry.get("search") or {}).get("mode", "match") if resource else None
                if resource and mode == "match" and resource.get("resourceType") == resource_type:
                    found.append(resource)
            path = next(
                (link.get("url") for link in bundle.get("link") or []
                 if isinstance(link, dict) and link.get("relation") == "next"),
                None,
            )
            query = None  # the next link carries the query itself
        return found

    def read(self, resource_type: str, resource_id: str, token: str) -> dict[str, Any]:
        resource = self.http.get(self._path(resource_type, resource_id), token=token)
        self._expect(resource, resource_type)
        return resource

    def create(
        self, resource_type: str, resource: dict[str, Any], token: str,
        *, if_none_exist: str | None = None,
    ) -> dict[str, Any]:
        """POST a new resource; returns the stored resource (with its new id).

        ``if_none_exist`` is a search query (e.g. ``identifier=system|value``): when one
        resource already matches it, the server stores nothing and returns that one, or, as
        some servers do, an empty body or an informational OperationOutcome; then the result
        is ``{}``: nothing new was stored, and a retry is done.
        """
        body = {**resource, "resourceType": resource_type}
        headers = {"Content-Type": FHIR_JSON, "Prefer": "return=representation"}
        if if_none_exist is not None:
            headers["If-None-Exist"] = if_none_exist
        stored = self._write("POST", self._path(resource_type), body, token, headers)
        if if_none_exist is not None and _matched_without_resource(stored):
            return {}
        self._expect(stored, resource_type)
        if not stored.get("id"):
            raise BadResponse(f"create {resource_type}: the server did not return an id")
        return stored

    def update(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], token: str
    ) -> dict[str, Any]:
        """PUT a whole resource; refused with 412 if it changed since it was read."""
        body = {**resource, "resourceType": resource_type, "id": resource_id}
        headers = {"Content-Type": FHIR_JSON, "Prefer": "return=representation"}
        version = (resource.get("meta") or {}).get("versionId")
        if version:
            headers["If-Match"] = f'W/"{version}"'
        stored = self._write("PUT", self._path(resource_type, resource_id), body, token, headers)
        if not stored:
            return body
        self._expect(stored, resource_type)
        return stored

    def _write(
        self, method: str, path: str, body: dict[str, Any], token: str, headers: dict[str, str]
    ) -> dict[str, Any]:
        try:
            return self.http.request(method, path, json=body, token=token, headers=headers)
        except ServiceRejected as exc:
            if exc.status not in ResourceInvalid.INVALID_STATUSES:
                raise
            invalid = ResourceInvalid(exc.status, exc.detail, code=exc.code)
            invalid.args = exc.args  # keeps "METHOD /path: HTTP 400: ..." for the log
            raise invalid from exc

    @staticmethod
    def _expect(resource: dict[str, Any], resource_type: str) -> None:
        if resource.get("resourceType") != resource_type:
            raise BadResponse(f"expected a {resource_type}, got {resource.get('resourceType')!r}")


def _matched_without_resource(answer: Any) -> bool:
    """A 2xx answer to a conditional create that shows no resource and reports no error."""
    if not answer:
        return True
    if not isinstance(answer, dict) or answer.get("resourceType") != "OperationOutcome":
        return False
    issues = [i for i in answer.get("issue") or [] if isinstance(i, dict)]
    return not any(i.get("severity") in ("error", "fatal") for i in issues)
