"""Which words are machine-translated, through the guides' ActionPort against the demo
backend, with an engine that marks what it translates: the GP office's replies and the health
service's alerts, labelled by carrying their original; never the citizen's own messages, and
never consent, proxy, medicine, vaccine or any other list (those are catalog text or names),
and no action but sending a message. The step view's "Translating…" cue comes once, only when
something is really translated."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kiosk.services.tasks
from kiosk.clock import ManualClock
from kiosk.services.fhir import FhirClient
from kiosk.services.http import HttpClient
from kiosk.services.tasks.common import MissingAnswer, TaskActions, TaskContext
from kiosk.services.tasks.machine import translating_cue
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


def test_of_the_task_areas_only_messages_and_records_reach_the_translator() -> None:
    """Actions as well as lists: consent and proxy send what the citizen chose from catalog
    text, so no task area but the office's messages and alerts may use machine translation."""
    folder = Path(kiosk.services.tasks.__file__).parent
    users = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imports = isinstance(node, ast.ImportFrom) and node.module is not None \
                and node.module.endswith(".machine")
            if imports or (isinstance(node, ast.Attribute) and node.attr == "translator"):
                users.add(path.stem)
    assert users == {"messages", "records", "machine"}


def test_the_translating_cue_comes_once_and_only_for_new_text(actions: TaskActions,
                                                              sign_in: SignIn) -> None:
    session = session_for(sign_in, "kari")
    session.prefs.language = "nb"
    cues: list[str] = []
    with translating_cue(lambda: cues.append("first")):
        actions.options("my_alerts", session)  # two alerts, one cue
    with translating_cue(lambda: cues.append("again")):
        actions.options("my_alerts", session)  # from the visit's cache: nothing to wait for
    with translating_cue(lambda: cues.append("english")):
        actions.options("my_alerts", session_for(sign_in, "kari"))  # the office's language
    assert cues == ["first"]
