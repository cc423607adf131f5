"""Consent tasks: list what the citizen has agreed to; give a consent, withdraw one.

Topic titles are English msgids (consent.py's TITLES), handed to the screen as Option labels.
Reads the citizen's answers from the session ("new_consent": a topic key of consents.yaml,
"consent": the id of one of their active Consents). Choosing something that is no longer
possible (given or withdrawn meanwhile, e.g. on another device) is an ActionResult that is not
ok, so the citizen can choose again.
"""

from __future__ import annotations

from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.services.health import consent
from kiosk.services.tasks.common import TaskContext, answer, submit, who
from translations.catalog import N_

OTHER_CONSENT = N_("Another consent, not one this kiosk offers")
"""Label of an active consent whose kind the kiosk does not know (shown so nothing is hidden)."""
ALREADY_GIVEN = N_("You have already given this consent. Nothing was changed.")
NOT_IN_FORCE = N_("This consent is no longer in force, so there is nothing to withdraw. "
                 "Please choose again.")
UNKNOWN_TOPIC = N_("This kiosk cannot take that consent. Please choose again.")


def _active(context: TaskContext, session: Any) -> list[consent.ConsentRecord]:
    token, patient_id = who(session)
    return [r for r in consent.consents(context.fhir, token, patient_id) if r.active]


def my_consents(context: TaskContext, session: Any) -> list[Option]:
    """Every consent in force, newest first; kinds the kiosk does not offer included."""
    return [Option(id=r.id, label=r.topic.title if r.topic else OTHER_CONSENT, label_msgid=True)
            for r in _active(context, session)]


def consents_to_give(context: TaskContext, session: Any) -> list[Option]:
    """The topics the citizen has not agreed to now (never, or withdrawn)."""
    given = {r.topic.key for r in _active(context, session) if r.topic}
    return [Option(id=t.key, label=t.title, label_msgid=True) for t in consent.topics().values()
            if t.key not in given]


def consents_to_withdraw(context: TaskContext, session: Any) -> list[Option]:
    """The citizen's consents in force that the kiosk can name, so the confirm step can say
    which one is withdrawn."""
    return [Option(id=r.id, label=r.topic.title, label_msgid=True)
            for r in _active(context, session) if r.topic is not None]


def give(context: TaskContext, session: Any) -> ActionResult:
    _token, patient_id = who(session)
    topic = consent.topics().get(str(answer(session, "new_consent")))
    if topic is None:
        return ActionResult(ok=False, error=UNKNOWN_TOPIC)
    if any(r.topic == topic for r in _active(context, session)):
        return ActionResult(ok=False, error=ALREADY_GIVEN)
    return submit(context, session, consent.give(topic, patient_id, context.clock.now()),
                  consent_topic=topic.key)


def withdraw(context: TaskContext, session: Any) -> ActionResult:
    """Sent now or not at all: the outbox never keeps a change to an existing resource, so a
    failure is raised and the citizen is told nothing changed."""
    consent_id = str(answer(session, "consent"))
    record = next((r for r in _active(context, session) if r.id == consent_id), None)
    if record is None or record.topic is None:
        return ActionResult(ok=False, error=NOT_IN_FORCE)
    return submit(context, session, consent.withdraw(record.id),
                  consent_topic=record.topic.key)


SOURCES = {
    "my_consents": my_consents,
    "consents_to_give": consents_to_give,
    "consents_to_withdraw": consents_to_withdraw,
}
ACTIONS = {"give_consent": give, "withdraw_consent": withdraw}
