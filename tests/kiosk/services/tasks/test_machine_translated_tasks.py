"""Which words are machine-translated, through the guides' ActionPort against the demo
backend, with an engine that marks what it translates: the GP office's replies and the health
service's alerts, labelled by carrying their original; never the citizen's own messages, and
never consent, proxy, medicine, vaccine or any other list (those are catalog text or names)."""

from __future__ import annotations

import pytest

from kiosk.clock import ManualClock
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from tests.kiosk.services.tasks.sessions import SignIn, session_for
from translations.mt import MachineTranslator, Pair

TRANSLATED = {"my_messages", "my_alerts"}


class Everything:
    """An engine for English to bokmål that marks each text it translates."""

    name = "everything"

    def pairs(self) -> frozenset[Pair]:
        return frozenset({("en", "nb")})

    def translate(self, text: str, source: str, target: str) -> str:
        return f"<{target}> {text}"


@pytest.fixture
def actions(http: HttpClient, clock: ManualClock) -> TaskActions:
    translator = MachineTranslator([Everything()])
    return TaskActions(TaskContext(FhirClient(http), clock, translator=translator,
                                   office_language="en"))


def test_only_the_office_words_are_machine_translated(actions: TaskActions,
                                                      sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari")
    session.prefs.language = "nb"
    seen = set()
    for source in sorted(actions.sources()):
        try:
            listed = actions.options(source, session)
        except MissingAnswer:
            continue  # a list that depends on an earlier answer (free times): not dynamic text
        translated = [o for o in listed if o.original]
        assert all(o.label == f"<nb> {o.original}" for o in translated)
        assert not any("<nb>" in o.label for o in listed if not o.original), source
        if translated:
            seen.add(source)
    assert seen == TRANSLATED
    messages = actions.options("my_messages", session)
    (own,) = [o for o in messages if o.id == "kari-question"]
    assert not own.original, "the citizen's own words stay theirs"
    assert len(session.translated) == 3  # one reply and two alerts, each once


def test_the_citizen_in_the_office_language_gets_no_translation(actions: TaskActions,
                                                                 sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari")  # English, the office's language here
    assert not any(o.original for o in actions.options("my_alerts", session))
    assert session.translated == {}
