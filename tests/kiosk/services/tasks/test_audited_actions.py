"""Which task actions reach the audit log: a proxy or consent given or withdrawn, by event name
only, and only when it was done (a refusal the citizen can fix is not)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from helper_mode.audit import EVENTS
from helper_mode.audit_format import CITIZEN_EVENTS
from kiosk.clock import ManualClock
from kiosk.guides.model import ActionResult
from kiosk.services.fhir import FhirClient
from kiosk.services.tasks.common import AUDITED, TaskActions, TaskContext, action_table
from kiosk.session import Session


def test_every_audited_action_exists_and_is_a_citizen_event() -> None:
    assert set(AUDITED) <= set(action_table())
    assert set(AUDITED.values()) <= set(CITIZEN_EVENTS) <= set(EVENTS)
    assert set(AUDITED.values()) == {"proxy_registered", "proxy_withdrawn", "consent_given",
                                     "consent_withdrawn"}


@pytest.mark.parametrize(("ok", "recorded"), [(True, ["consent_given"]), (False, [])])
def test_only_a_done_action_is_recorded(monkeypatch: pytest.MonkeyPatch, ok: bool,
                                        recorded: list[str]) -> None:
    def give(context: TaskContext, session: Any) -> ActionResult:
        return ActionResult(ok=ok)

    monkeypatch.setitem(action_table(), "give_consent", give)
    audit: list[str] = []
    actions = TaskActions(TaskContext(cast(FhirClient, None), ManualClock(), audit=audit.append))
    assert actions.perform("give_consent", Session()).ok is ok
    assert audit == recorded


def test_other_actions_are_not_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(action_table(), "check_relative",
                        lambda context, session: ActionResult(ok=True))
    audit: list[str] = []
    actions = TaskActions(TaskContext(cast(FhirClient, None), ManualClock(), audit=audit.append))
    actions.perform("check_relative", Session())
    assert audit == []
