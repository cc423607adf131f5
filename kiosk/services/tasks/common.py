"""The ActionPort over every task area, and what the areas share: who is signed in, their
answers, and sending a submission honestly ("sent" or "saved on this kiosk").

A failure the citizen can fix by choosing again is an ActionResult that is not ok; every other
failure is raised as a ServiceError for the UI, which says what happened and offers a retry.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kiosk.clock import Clock
from kiosk.guides.model import ActionResult, Option
from kiosk.services.fhir import FhirClient
from kiosk.services.health.medicines import DEFAULT_RENEWAL_CODE, RenewalCode
from kiosk.services.health.proxies import acting_refusals
from kiosk.services.health.submission import Submission
from kiosk.services.http import ServiceError
from kiosk.services.outbox_worker import OutboxSender, Queued
from translations.catalog import N_
from translations.mt import MachineTranslator


class NotSignedIn(ServiceError):
    """A guide reached a service step without a signed-in citizen."""

    msgid = N_("Please sign in first.")
    needs_sign_in = True


class MissingAnswer(ServiceError):
    """A guide reached an action before the citizen chose what it needs."""

    msgid = N_("Something is missing. Please go back and choose again.")


@dataclass(frozen=True)
class TaskContext:
    """The services every area may use. ``max_options`` keeps lists short enough to read."""

    fhir: FhirClient
    clock: Clock
    sender: OutboxSender | None = None
    """Durable delivery of submissions; None only where nothing is submitted (tests)."""
    country: str = "NO"
    max_options: int = 20
    renewal_code: RenewalCode = DEFAULT_RENEWAL_CODE
    """How the GP office's system codes a request to renew a medicine."""
    audit: Callable[[str], None] | None = None
    """Records a citizen's event by name in the audit log (AUDITED); None: nothing is."""
    translator: MachineTranslator | None = None
    """Machine translation of the GP office's and the citizen's own words; None: none."""
    office_language: str = "nb"
    """The language the GP office writes and reads in."""


Source = Callable[[TaskContext, Any], list[Option]]
Action = Callable[[TaskContext, Any], ActionResult]

AUDITED = {
    "give_proxy": "proxy_registered",
    "end_proxy": "proxy_withdrawn",
    "give_consent": "consent_given",
    "withdraw_consent": "consent_withdrawn",
}
"""Actions whose success is written to the audit log, by event name only: who may act for the
citizen, and what they agreed to, are what an operator may have to answer for."""


def who(session: Any) -> tuple[str, str]:
    """(access token, patient id) of the signed-in citizen, or of the person they chose to act
    for (``session.acting_for``): the token stays the citizen's own."""
    person = session.person
    if person is None:
        raise NotSignedIn("service step reached without a signed-in person")
    acting = session.acting_for
    return person.access_token, acting.patient_id if acting is not None else person.patient_id


def answer(session: Any, key: str) -> Any:
    """The citizen's answer stored under key; MissingAnswer if the guide has not asked it."""
    value = session.answers.get(key)
    if value is None or value == "":
        raise MissingAnswer(f"the session has no answer {key!r}")
    return value


def submit(context: TaskContext, session: Any, submission: Submission,
           **values: Any) -> ActionResult:
    """Send through the outbox: ok either way, ``queued`` when it waits on this kiosk."""
    if context.sender is None:
        raise ServiceError("this kiosk has no outbox for submissions")
    token, _patient = who(session)
    result = context.sender.submit(submission, token)
    return ActionResult(ok=True, values=values, queued=isinstance(result, Queued))


def _collect(kind: str) -> dict[str, Callable[..., Any]]:
    """One table of every area module's SOURCES or ACTIONS; a name defined twice is an error."""
    package = importlib.import_module("kiosk.services.tasks")
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"kiosk.services.tasks.{info.name}")
        table: Mapping[str, Callable[..., Any]] = getattr(module, kind, {})
        for name, function in table.items():
            if name in found:
                raise RuntimeError(f"{kind[:-1].lower()} {name!r} is defined by two task areas")
            found[name] = function
    return found


# Collected on first use: the area modules import this one for its helpers.
@cache
def source_table() -> dict[str, Source]:
    return _collect("SOURCES")


@cache
def action_table() -> dict[str, Action]:
    return _collect("ACTIONS")


def known_sources() -> frozenset[str]:
    return frozenset(source_table())


def known_actions() -> frozenset[str]:
    return frozenset(action_table())


class TaskActions:
    """The guides' ActionPort: looks the name up in the areas' tables and calls it."""

    def __init__(self, context: TaskContext) -> None:
        self.context = context

    def sources(self) -> frozenset[str]:
        return known_sources()

    def actions(self) -> frozenset[str]:
        return known_actions()

    def options(self, source: str, session: Any) -> list[Option]:
        table = source_table()
        if source not in table:
            raise ValueError(f"unknown source {source!r}; known: {sorted(table)}")
        with acting_refusals(session.acting_for is not None):
            return table[source](self.context, session)[: self.context.max_options]

    def perform(self, action: str, session: Any) -> ActionResult:
        table = action_table()
        if action not in table:
            raise ValueError(f"unknown action {action!r}; known: {sorted(table)}")
        with acting_refusals(session.acting_for is not None):
            result = table[action](self.context, session)
        if result.ok and action in AUDITED and self.context.audit is not None:
            self.context.audit(AUDITED[action])
        return result
