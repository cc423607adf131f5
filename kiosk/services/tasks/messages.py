"""Message tasks: read the conversation with the GP office, and write a new message to it.

Reads the citizen's answer "message" (the typed text). Before the citizen confirms, the
``message_start`` action gives the first words back, so the confirm step can read out the
start of the message without saying all of it.
"""

from __future__ import annotations

from typing import Any

from kiosk.guides.model import ActionResult, Option
from kiosk.services.health import messages as health
from kiosk.services.tasks.common import TaskContext, answer, submit, who
from kiosk.services.tasks.machine import for_citizen, for_office

START_LENGTH = 60
"""About ten words: enough to recognise the message when it is read back."""


def my_messages(context: TaskContext, session: Any) -> list[Option]:
    """The conversation, newest first: each message's text, and who sent it. The office's
    words are machine-translated into the citizen's language where a pair is installed."""
    token, patient_id = who(session)
    me = session.person.display_name
    listed = []
    for m in health.messages(context.fhir, token, patient_id):
        if not m.text:
            continue
        label, original = (m.text, "") if m.from_patient else for_citizen(context, session,
                                                                            m.text)
        listed.append(Option(id=m.id, label=label, original=original,
                             detail=m.sender or (me if m.from_patient else "")))
    return listed


def start_of(text: str, length: int = START_LENGTH) -> str:
    """The first words of text, cut at a space and marked with "…" when there is more."""
    words = " ".join(text.split())
    if len(words) <= length:
        return words
    cut = words[:length].rsplit(" ", 1)[0] or words[:length]
    return cut.rstrip(",.;:!?") + "…"


def message_start(context: TaskContext, session: Any) -> ActionResult:
    """Nothing is sent: this only gives the confirm step the start of the message."""
    start = start_of(str(answer(session, "message")))
    return ActionResult(ok=True, values={"message_start": start})


def send_message(context: TaskContext, session: Any) -> ActionResult:
    """Send the typed message to the GP office: as written, and machine-translated (labelled)
    into the office's language when the citizen wrote in another."""
    _token, patient_id = who(session)
    text = str(answer(session, "message"))
    return submit(context, session, health.message(
        patient_id, text, context.clock.now(), translation=for_office(context, session, text)))


SOURCES = {"my_messages": my_messages}
ACTIONS = {"message_start": message_start, "send_message": send_message}
