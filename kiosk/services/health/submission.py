"""A submission: one write to the FHIR server, built now and delivered (maybe much) later.

Builders in the area modules return a ``Submission`` without sending it; the durable outbox
stores it (``to_json``) and calls ``deliver`` until it gets through. Delivering twice is safe:

- a create carries a client-generated identifier (``urn:uuid:…``) and is sent with
  ``If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:…``, so the server stores it once;
- a change to an existing resource (``update_id`` set, e.g. withdrawing a consent) holds only
  the fields to set; ``deliver`` reads the resource, sends nothing if they are already set, and
  otherwise PUTs it with ``If-Match``, reading again when someone else changed it meanwhile.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.services.fhir import FhirClient, check_id
from kiosk.services.http import ServiceRejected

IDENTIFIER_SYSTEM = "urn:ietf:rfc:3986"
"""RFC 3986 URIs as identifiers: the value is a ``urn:uuid:`` the kiosk made up."""

SINGLE_IDENTIFIER_TYPES = frozenset({"QuestionnaireResponse"})
"""Resource types whose ``identifier`` is one Identifier (R4 0..1), not a list."""

MAX_UPDATE_ATTEMPTS = 3
_FIELDS = ("resource_type", "resource", "if_none_exist", "update_id")


@dataclass(frozen=True)
class Submission:
    """What the outbox stores: everything needed to send one write, as plain JSON data."""

    resource_type: str
    resource: Mapping[str, Any]
    """For a create, the whole resource; for a change (``update_id``), only the fields to set."""
    if_none_exist: str | None
    """The conditional-create query (``identifier=system|value``); None for a change."""
    update_id: str | None = None
    """Set for a change to an existing resource: its logical id."""

    def __post_init__(self) -> None:
        if not self.resource_type.isalpha() or not self.resource_type[:1].isupper():
            raise ValueError(f"not a FHIR resource type: {self.resource_type!r}")
        if self.update_id is not None:
            check_id(self.update_id)
            if self.if_none_exist is not None:
                raise ValueError("a change to an existing resource has no If-None-Exist")
        elif not self.if_none_exist:
            raise ValueError("a create must carry If-None-Exist so a retry stores it once")

    @property
    def key(self) -> str:
        """A stable name for this submission: its urn:uuid, or the resource it changes."""
        if self.update_id is not None:
            fields = ",".join(sorted(self.resource))
            return f"{self.resource_type}/{self.update_id}:{fields}"
        return self.if_none_exist.rpartition("|")[2] if self.if_none_exist else ""

    def to_json(self) -> str:
        return json.dumps(
            {"resource_type": self.resource_type, "resource": dict(self.resource),
             "if_none_exist": self.if_none_exist, "update_id": self.update_id},
            ensure_ascii=False, separators=(",", ":"), sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Submission:
        """The submission ``to_json`` wrote; ValueError naming the field when it is not one."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"stored submission is not JSON: {exc}") from exc
        if not isinstance(data, dict) or set(data) != set(_FIELDS):
            raise ValueError(f"stored submission must have exactly the fields {list(_FIELDS)}")
        if not isinstance(data["resource_type"], str):
            raise ValueError("stored submission: field 'resource_type' must be a text")
        if not isinstance(data["resource"], dict):
            raise ValueError("stored submission: field 'resource' must be an object")
        for name in ("if_none_exist", "update_id"):
            if data[name] is not None and not isinstance(data[name], str):
                raise ValueError(f"stored submission: field {name!r} must be a text or null")
        return cls(**data)


def new_identifier() -> dict[str, str]:
    """A fresh client-generated identifier for one submission."""
    return {"system": IDENTIFIER_SYSTEM, "value": f"urn:uuid:{uuid.uuid4()}"}


def create(resource_type: str, resource: Mapping[str, Any]) -> Submission:
    """A create of ``resource`` under a new identifier, conditional on that identifier."""
    identifier = new_identifier()
    body: dict[str, Any] = {"resourceType": resource_type, **resource}
    if resource_type in SINGLE_IDENTIFIER_TYPES:
        body["identifier"] = identifier
    else:
        body["identifier"] = [identifier, *body.get("identifier", [])]
    query = f"identifier={identifier['system']}|{identifier['value']}"
    return Submission(resource_type, body, query)


def change(resource_type: str, resource_id: str, fields: Mapping[str, Any]) -> Submission:
    """Set top-level ``fields`` of an existing resource."""
    if not fields:
        raise ValueError("a change must set at least one field")
    if {"id", "resourceType", "meta"} & set(fields):
        raise ValueError("a change cannot set id, resourceType or meta")
    return Submission(resource_type, dict(fields), None, update_id=resource_id)


def deliver(fhir: FhirClient, submission: Submission, token: str) -> dict[str, Any]:
    """Send one submission; returns the resource as the server now holds it.

    Raises the ``ServiceError`` family: ``ResourceInvalid`` means the server will never take
    it; anything else may go through on a later attempt.
    """
    kind = submission.resource_type
    if submission.update_id is None:
        return fhir.create(kind, dict(submission.resource), token,
                           if_none_exist=submission.if_none_exist)
    attempts_left = MAX_UPDATE_ATTEMPTS
    while True:
        attempts_left -= 1
        current = fhir.read(kind, submission.update_id, token)
        wanted = {**current, **submission.resource}
        if wanted == current:
            return current
        try:
            return fhir.update(kind, submission.update_id, wanted, token)
        except ServiceRejected as exc:
            # 412: changed by someone else since our read; read again and reapply the fields.
            if exc.status != 412 or attempts_left == 0:
                raise
