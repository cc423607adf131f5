"""The bundled appointment guide: it loads, and its texts follow the content rules."""

from __future__ import annotations

import string

import pytest

from kiosk.guides.loader import bundled_guides_dir, check_paths, load_guides
from kiosk.guides.model import Guide
from kiosk.services.tasks.common import known_actions, known_sources

SOURCES = known_sources()
ACTIONS = known_actions()

QUESTIONS = ("choice", "confirm", "slot", "number", "text")


@pytest.fixture(scope="module")
def guide() -> Guide:
    [guide] = load_guides([bundled_guides_dir()], known_sources=SOURCES, known_actions=ACTIONS)
    return guide


def test_bundled_guides_pass_the_check() -> None:
    assert check_paths([bundled_guides_dir()], SOURCES, ACTIONS) == []


def test_bundled_guide_rejects_a_service_that_is_not_there() -> None:
    errors = check_paths([bundled_guides_dir()], SOURCES, ACTIONS - {"move_appointment"})
    lines = (bundled_guides_dir() / "appointment.yaml").read_text().splitlines()
    line = lines.index("    action: move_appointment") + 1
    assert [(e.line, e.field) for e in errors] == [(line, "steps.move_do.action")]


def test_the_three_tasks(guide: Guide) -> None:
    first = guide.step(guide.start)
    assert [c.id for c in first.choices] == ["book", "move", "cancel"]
    assert [guide.step(c.next).kind for c in first.choices] == ["signin"] * 3
    assert guide.icon_label


def walk(guide: Guide, step_id: str) -> list[tuple[str, str | None, str | None]]:
    """(kind, source or action, store) along the "yes" path from a step to the finish."""
    path = []
    while True:
        step = guide.step(step_id)
        path.append((step.kind, step.source or step.action, step.store))
        if step.kind == "finish":
            return path
        step_id = step.yes or step.next or ""


def test_book_path(guide: Guide) -> None:
    assert walk(guide, "signin_book") == [
        ("signin", None, None),
        ("slot", "free_slots", "slot"),
        ("confirm", None, None),
        ("action", "book_appointment", None),
        ("finish", None, None),
    ]
    assert guide.step("book_confirm").prompt == "You are booking {slot}. Is that right?"
    assert guide.step("book_done").prompt == "Your appointment is booked for {slot}."


def test_move_path(guide: Guide) -> None:
    assert walk(guide, "signin_move") == [
        ("signin", None, None),
        ("slot", "my_appointments", "appointment"),
        ("slot", "free_slots", "slot"),
        ("confirm", None, None),
        ("action", "move_appointment", None),
        ("finish", None, None),
    ]
    assert guide.step("move_confirm").prompt == (
        "You are moving your appointment from {appointment} to {slot}. Is that right?"
    )


def test_cancel_path(guide: Guide) -> None:
    assert walk(guide, "signin_cancel") == [
        ("signin", None, None),
        ("slot", "my_appointments", "appointment"),
        ("confirm", None, None),
        ("action", "cancel_appointment", None),
        ("finish", None, None),
    ]
    assert guide.step("cancel_confirm").prompt == (
        "You are cancelling your appointment on {appointment}. Is that right?"
    )


def test_my_appointments_steps_say_when_there_are_none_and_stay_private(guide: Guide) -> None:
    mine = [s for s in guide.steps.values() if s.source == "my_appointments"]
    assert len(mine) == 2
    for step in mine:
        assert step.empty == "You have no appointments booked."
        assert step.private


def test_every_question_has_help(guide: Guide) -> None:
    assert all(s.help for s in guide.steps.values() if s.kind in QUESTIONS)


def test_plain_language_short_sentences(guide: Guide) -> None:
    texts = [guide.title, guide.description, guide.icon_label]
    for step in guide.steps.values():
        texts += [step.prompt, step.help, step.empty or ""]
        texts += [c.label for c in step.choices]
    for text in filter(None, texts):
        for sentence in text.replace("?", ".").split(". "):
            assert len(sentence.split()) <= 14, sentence


def test_placeholders_are_answers_given_earlier(guide: Guide) -> None:
    """Every {name} in a text is stored by a step on every way to it."""

    def placeholders(text: str) -> set[str]:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}

    def check(step_id: str, known: frozenset[str]) -> None:
        step = guide.step(step_id)
        assert placeholders(step.prompt) <= known, step.id
        if step.kind in QUESTIONS:
            known = known | {step.key}
        for target in (step.next, step.yes, *(c.next for c in step.choices)):
            if target:
                check(target, known)

    check(guide.start, frozenset({"name"}))
