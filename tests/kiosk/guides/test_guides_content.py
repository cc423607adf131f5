"""The bundled guides: they load, every one follows the content rules, and the appointment
guide takes the paths the skeleton promised."""

from __future__ import annotations

import string

import pytest

from kiosk.guides.loader import bundled_guides_dir, check_paths, load_guides
from kiosk.guides.model import Guide
from kiosk.services.appointments import MODES
from kiosk.services.tasks.common import known_actions, known_sources

SOURCES = known_sources()
ACTIONS = known_actions()

QUESTIONS = ("choice", "confirm", "slot", "list", "number", "text")
GUIDES = load_guides([bundled_guides_dir()], known_sources=SOURCES, known_actions=ACTIONS)
every_guide = pytest.mark.parametrize("any_guide", GUIDES, ids=[g.id for g in GUIDES])


@pytest.fixture(scope="module")
def guide() -> Guide:
    return next(g for g in GUIDES if g.id == "appointment")


def test_guide_ids_and_menu_order_are_unique() -> None:
    assert len({g.id for g in GUIDES}) == len(GUIDES)
    assert len({g.order for g in GUIDES}) == len(GUIDES)
    assert GUIDES[0].id == "appointment"


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
        # Each kind of step has only its own fields.
        path.append((step.kind, getattr(step, "source", None) or getattr(step, "action", None),
                     getattr(step, "store", None)))
        if step.kind == "finish":
            return path
        step_id = getattr(step, "yes", None) or getattr(step, "next", None) or ""


def test_book_path(guide: Guide) -> None:
    mode = guide.step(guide.step("signin_book").next or "")
    assert (mode.kind, mode.key) == ("choice", "mode")
    assert [c.id for c in mode.choices] == list(MODES)
    for choice in mode.choices:
        assert walk(guide, choice.next) == [
            ("slot", "free_slots", "slot"),
            ("confirm", None, None),
            ("action", "book_appointment", None),
            ("finish", None, None),
        ]
    assert guide.step("book_video_confirm").prompt == (
        "You are booking a video appointment on {slot}. Is that right?")
    assert guide.step("book_phone_done").prompt == "Your phone appointment is booked for {slot}."


def test_move_path(guide: Guide) -> None:
    assert walk(guide, "signin_move") == [
        ("signin", None, None),
        ("slot", "my_appointments", "appointment"),
        ("slot", "free_slots_for_move", "slot"),
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
    mine = [s for s in guide.steps.values() if getattr(s, "source", None) == "my_appointments"]
    assert len(mine) == 2
    for step in mine:
        assert step.empty == "You have no appointments booked."
        assert step.private


@every_guide
def test_every_question_has_help(any_guide: Guide) -> None:
    assert all(s.help for s in any_guide.steps.values() if s.kind in QUESTIONS)


@every_guide
def test_plain_language_short_sentences(any_guide: Guide) -> None:
    texts = [any_guide.title, any_guide.description, any_guide.icon_label]
    for step in any_guide.steps.values():
        texts += [step.prompt, step.help, getattr(step, "empty", None) or ""]
        texts += [c.label for c in getattr(step, "choices", ())]
    for text in filter(None, texts):
        for sentence in text.replace("?", ".").split(". "):
            assert len(sentence.split()) <= 14, sentence


@every_guide
def test_placeholders_are_answers_given_earlier(any_guide: Guide) -> None:
    """Every {name} in a text is stored by a step on every way to it: a question's answer, or
    (not known statically) a value an action step before it returned."""

    def placeholders(text: str) -> set[str]:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}

    def check(step_id: str, known: frozenset[str], after_action: bool,
              seen: frozenset[str]) -> None:
        if step_id in seen:
            return
        step = any_guide.step(step_id)
        if not after_action:
            assert placeholders(step.prompt) <= known, step.id
        if step.kind in QUESTIONS:
            known = known | {step.key}
        after_action = after_action or step.kind == "action"
        targets = (*(getattr(step, name, None) for name in ("next", "yes", "no", "queued")),
                   *(c.next for c in getattr(step, "choices", ())))
        for target in targets:
            if target:
                check(target, known, after_action, seen | {step_id})

    check(any_guide.start, frozenset({"name"}), False, frozenset())
