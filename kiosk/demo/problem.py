"""What the demo service answers: a ``Reply``, or a ``Problem`` that becomes an error answer.

FHIR errors are OperationOutcome resources; OAuth errors are RFC 6749 section 5.2 JSON objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

FHIR_JSON = "application/fhir+json"
PLAIN_JSON = "application/json"
Headers = tuple[tuple[str, str], ...]


class Problem(Exception):
    """An error answer. ``code`` is an OperationOutcome issue code, or an OAuth error code."""

    def __init__(self, status: int, message: str, code: str = "invalid", *,
                 oauth: bool = False, expression: str | None = None,
                 headers: Headers = ()) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.oauth = status, message, code, oauth
        self.expression = expression
        self.headers = headers

    def body(self) -> dict[str, Any]:
        if self.oauth:
            return {"error": self.code, "error_description": self.message}
        issue: dict[str, Any] = {"severity": "error", "code": self.code,
                                 "diagnostics": self.message}
        if self.expression:
            issue["expression"] = [self.expression]
        return {"resourceType": "OperationOutcome", "issue": [issue]}

    def reply(self) -> Reply:
        extra = self.headers
        if self.status == 401 and not self.oauth:
            extra = (("WWW-Authenticate", 'Bearer realm="helselos-demo"'), *extra)
        return json_reply(self.status, self.body(), PLAIN_JSON if self.oauth else FHIR_JSON,
                          extra)


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = FHIR_JSON
    headers: Headers = ()


def json_reply(status: int, body: Any, content_type: str = FHIR_JSON,
               headers: Headers = ()) -> Reply:
    return Reply(status, json.dumps(body).encode(), content_type, headers)


def outcome(severity: str, code: str, message: str) -> dict[str, Any]:
    """A one-issue OperationOutcome, e.g. to say "already exists" without showing content."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message}]}
