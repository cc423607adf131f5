"""One test per guide validation rule: each breaks a valid guide and checks line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kiosk.guides import schema
from kiosk.guides.loader import GuideError, GuideErrors, check_paths, load_guide

# Line numbers below refer to this text (line 1 = "id: practice").
VALID = """\
id: practice
title: Practice
description: Try the kiosk.
icon_label: A star
start: colour
steps:
  - id: colour
    kind: choice
    prompt: Which colour do you like?
    help: Touch a colour.
    choices:
      - {id: red, label: Red, next: sure, voice: [red]}
      - {id: blue, label: Blue, next: sure}
  - id: sure
    kind: confirm
    prompt: You chose {colour}. Is that right?
    help: Say yes or no.
    yes: done
    no: colour
  - id: done
    kind: finish
    prompt: Well done!
"""

SOURCES = frozenset({"free_slots", "my_appointments"})
ACTIONS = frozenset({"book_appointment"})


def problems(tmp_path: Path, text: str, **known: frozenset[str]) -> list[GuideError]:
    path = tmp_path / "guide.yaml"
    path.write_text(text, encoding="utf-8")
    return check_paths(
        [path], known.get("known_sources"), known.get("known_actions")
    )


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def where(errors: list[GuideError]) -> list[tuple[int, str | None]]:
    return [(e.line, e.field) for e in errors]


def test_the_valid_guide_loads(tmp_path: Path) -> None:
    assert problems(tmp_path, VALID) == []
    guide = load_guide(tmp_path / "guide.yaml")
    assert guide.start == "colour"
    assert list(guide.steps) == ["colour", "sure", "done"]
    assert guide.step("sure").line == 14
    assert guide.step("sure").no == "colour"
    assert guide.step("colour").choices[0].voice == ("red",)
    assert guide.order == 100


def test_the_example_in_the_format_reference_is_a_valid_guide(tmp_path: Path) -> None:
    doc = schema.__doc__ or ""
    example = textwrap.dedent(doc.split("Example::", 1)[1])
    assert problems(tmp_path, example) == []


def test_error_text_names_file_line_and_field(tmp_path: Path) -> None:
    [error] = problems(tmp_path, broken("title: Practice", "title: ''"))
    assert str(error) == (
        f"{tmp_path / 'guide.yaml'}:2: field 'title': is empty; write a short sentence here."
    )


def test_unknown_step_field_is_named_with_the_allowed_ones(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("    help: Say yes or no.", "    hlep: Say yes or no."))
    assert where(errors) == [(17, "steps.sure.hlep"), (14, "steps.sure.help")]
    assert "Did you mean 'help'?" in errors[0].message
    assert ("Allowed fields: id, kind, prompt, help, yes, no, store, private, staff_hint."
            in errors[0].message)
    assert errors[1].message == "is missing; a confirm step needs it."


def test_a_step_without_an_id_is_told_so(tmp_path: Path) -> None:
    # The id is keyword-only in the model (so staff_hint may default before the kinds'
    # required fields): still required, and said so.
    errors = problems(tmp_path, broken("  - id: done\n    kind: finish", "  - kind: finish"))
    assert (20, "steps[2].id") in where(errors)


def test_a_staff_hint_is_read_and_checked(tmp_path: Path) -> None:
    hint = "    staff_hint: Let the citizen touch the colour themselves."
    path = tmp_path / "guide.yaml"
    path.write_text(broken("    help: Touch a colour.", f"    help: Touch a colour.\n{hint}"),
                    encoding="utf-8")
    guide = load_guide(path)
    assert guide.step("colour").staff_hint == "Let the citizen touch the colour themselves."
    assert guide.step("sure").staff_hint is None


@pytest.mark.parametrize(("hint", "says"), [
    ("Tell them {colour} is fine.", "must not hold a {placeholder}"),
    ("''", "is empty; write one short sentence telling a staff member how to help"),
    ("[a, b]", "must be text"),
])
def test_a_bad_staff_hint_is_named(tmp_path: Path, hint: str, says: str) -> None:
    errors = problems(tmp_path, broken("    help: Touch a colour.",
                                       f"    help: Touch a colour.\n    staff_hint: {hint}"))
    assert where(errors) == [(11, "steps.colour.staff_hint")]
    assert says in errors[0].message


def test_a_signin_step_takes_no_staff_hint(tmp_path: Path) -> None:
    text = broken("  - id: done\n", "  - id: done\n").replace(
        "start: colour", "start: phone").replace(
        "steps:\n", "steps:\n  - id: phone\n    kind: signin\n    next: colour\n"
        "    staff_hint: Help them scan the code.\n")
    errors = problems(tmp_path, text)
    assert where(errors) == [(10, "steps.phone.staff_hint")]
    assert "signing in is the citizen's own" in errors[0].message


def test_only_a_text_step_may_be_masked(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("    help: Say yes or no.",
                                       "    help: Say yes or no.\n    masked: yes"))
    assert where(errors) == [(18, "steps.sure.masked")]


def test_unknown_top_level_field(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("icon_label: A star", "icon_label: A star\ncolor: red"))
    assert where(errors) == [(5, "color")]
    assert "a guide has no field 'color'" in errors[0].message


def test_unknown_choice_field(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("next: sure}", "next: sure, voices: [blue]}"))
    assert where(errors) == [(13, "steps.colour.choices.blue.voices")]
    assert "Did you mean 'voice'?" in errors[0].message


def test_field_given_twice(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("    yes: done", "    yes: done\n    yes: colour"))
    assert where(errors) == [(19, "steps.sure.yes")]
    assert "appears twice" in errors[0].message


@pytest.mark.parametrize(
    ("kind_fields", "missing"),
    [
        ("kind: slot\n    source: free_slots\n    next: done", "empty"),
        ("kind: number\n    next: done", "unit"),
        ("kind: text", "next"),
    ],
)
def test_required_fields_per_kind(tmp_path: Path, kind_fields: str, missing: str) -> None:
    text = broken("kind: confirm", kind_fields).replace("    yes: done\n    no: colour\n", "")
    errors = problems(tmp_path, text, known_sources=SOURCES)
    assert (14, f"steps.sure.{missing}") in where(errors)


def test_missing_top_level_field(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("description: Try the kiosk.\n", ""))
    assert where(errors) == [(1, "description")]
    assert errors[0].message == "is missing; a guide needs it."


def test_empty_icon_label_is_refused(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("icon_label: A star", "icon_label: '  '"))
    assert where(errors) == [(4, "icon_label")]
    assert "read aloud" in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("start: colour", "start: [colour]", 5, "start", "must be a name"),
        ("icon_label: A star", "icon_label: A star\norder: soon", 5, "order", "whole number"),
        ("    help: Say yes or no.", "    help: Say yes or no.\n    private: maybe", 18,
         "steps.sure.private", "must be yes or no"),
        ("      - {id: blue, label: Blue, next: sure}\n", "", 11, "steps.colour.choices",
         "at least two"),
        ("voice: [red]", "voice: red", 12, "steps.colour.choices.red.voice", "list of words"),
        ("prompt: Well done!", "prompt: {a: b}", 22, "steps.done.prompt", "must be text"),
        ("  - id: sure", "  - id: 2sure", 14, "steps[1].id", "letters, digits and _"),
    ],
)
def test_wrong_types(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    errors = problems(tmp_path, broken(old, new))
    assert (line, field) in where(errors)
    assert says in next(e.message for e in errors if e.field == field)


def test_unknown_kind_suggests_the_right_one(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("kind: confirm", "kind: confrim"))
    assert where(errors) == [(15, "steps.sure.kind")]
    assert "Did you mean 'confirm'?" in errors[0].message


def test_duplicate_step_ids(tmp_path: Path) -> None:
    errors = problems(tmp_path, VALID + "  - id: sure\n    kind: finish\n    prompt: Again.\n")
    assert where(errors) == [(23, "steps.sure.id")]
    assert "already used on line 14" in errors[0].message


def test_duplicate_choice_ids(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("{id: blue,", "{id: red,"))
    assert where(errors) == [(13, "steps.colour.choices.red.id")]
    assert "already used on line 12" in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("    yes: done", "    yes: dne", 18, "steps.sure.yes"),
        ("    no: colour", "    no: color", 19, "steps.sure.no"),
        ("next: sure}", "next: shure}", 13, "steps.colour.choices.blue.next"),
    ],
)
def test_dangling_targets(tmp_path: Path, old: str, new: str, line: int, field: str) -> None:
    errors = problems(tmp_path, broken(old, new))
    assert where(errors) == [(line, field)]
    assert errors[0].message.startswith("there is no step '")
    assert "Did you mean '" in errors[0].message


def test_dangling_on_error_and_next(tmp_path: Path) -> None:
    text = broken(
        "  - id: done\n",
        "  - id: save\n    kind: action\n    action: book_appointment\n"
        "    next: done\n    on_error: oops\n  - id: done\n",
    ).replace("    yes: done", "    yes: save")
    errors = problems(tmp_path, text, known_actions=ACTIONS)
    assert where(errors) == [(24, "steps.save.on_error")]


def test_start_must_name_a_step(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("start: colour", "start: colours"))
    assert where(errors) == [(5, "start")]
    assert "Did you mean 'colour'?" in errors[0].message


def test_unreachable_step(tmp_path: Path) -> None:
    text = VALID + "  - id: lonely\n    kind: finish\n    prompt: Nobody sees me.\n"
    errors = problems(tmp_path, text)
    assert where(errors) == [(23, "steps.lonely")]
    assert "nobody can reach it" in errors[0].message


def test_guide_without_finish_step(tmp_path: Path) -> None:
    text = broken("    kind: finish\n    prompt: Well done!\n",
                  "    kind: confirm\n    prompt: Again?\n    help: Say yes or no.\n"
                  "    yes: colour\n    no: colour\n")
    errors = problems(tmp_path, text)
    assert where(errors) == [(6, "steps")]
    assert "no finish step" in errors[0].message


def test_step_that_can_never_finish(tmp_path: Path) -> None:
    # "sure" only leads to "loop", and "loop" only back to "sure": the citizen is stuck.
    text = broken("    yes: done\n    no: colour\n", "    yes: loop\n    no: loop\n")
    text = text.replace("{id: red, label: Red, next: sure", "{id: red, label: Red, next: done") + (
        "  - id: loop\n    kind: confirm\n    prompt: Again?\n    help: Say yes or no.\n"
        "    yes: sure\n    no: sure\n"
    )
    errors = problems(tmp_path, text)
    assert where(errors) == [(14, "steps.sure"), (23, "steps.loop")]
    assert "no way from this step to a finish step" in errors[0].message


def test_number_minimum_above_maximum(tmp_path: Path) -> None:
    text = broken(
        "kind: confirm",
        "kind: number\n    unit: kg\n    minimum: 250\n    maximum: 30\n    next: done",
    ).replace("    yes: done\n    no: colour\n", "")
    errors = problems(tmp_path, text)
    assert where(errors) == [(17, "steps.sure.minimum")]
    assert errors[0].message == "minimum 250 is larger than maximum 30; swap them."


def test_text_max_length_must_be_positive(tmp_path: Path) -> None:
    text = broken("kind: confirm", "kind: text\n    max_length: 0\n    next: done").replace(
        "    yes: done\n    no: colour\n", ""
    )
    errors = problems(tmp_path, text)
    assert where(errors) == [(16, "steps.sure.max_length")]
    assert errors[0].message == "must be 1 or more, not 0."


def test_unknown_source_and_action_names(tmp_path: Path) -> None:
    text = broken(
        "  - id: done\n",
        "  - id: pick\n    kind: slot\n    source: free_slot\n    prompt: Pick a time.\n"
        "    help: Touch a time.\n    empty: No times.\n    next: save\n"
        "  - id: save\n    kind: action\n    action: book\n    next: done\n"
        "  - id: done\n",
    ).replace("    yes: done", "    yes: pick")
    errors = problems(tmp_path, text, known_sources=SOURCES, known_actions=ACTIONS)
    assert where(errors) == [(22, "steps.pick.source"), (29, "steps.save.action")]
    assert "Did you mean 'free_slots'?" in errors[0].message
    assert "Known: book_appointment." in errors[1].message
    # Without known names (e.g. no services configured) the names are not judged.
    assert problems(tmp_path, text) == []


def test_broken_placeholder(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("You chose {colour}.", "You chose {colour."))
    assert where(errors) == [(16, "steps.sure.prompt")]
    assert "broken {placeholder}" in errors[0].message


def test_placeholder_must_be_a_plain_name(tmp_path: Path) -> None:
    errors = problems(tmp_path, broken("{colour}", "{colour.__class__}"))
    assert where(errors) == [(16, "steps.sure.prompt")]


def test_yes_and_no_keys_need_no_quotes(tmp_path: Path) -> None:
    """YAML 1.1 reads a bare `no` as false; guides read keys and ids as written."""
    text = broken("{id: red,", "{id: no,").replace("voice: [red]", "voice: [No]")
    assert problems(tmp_path, text) == []
    guide = load_guide(tmp_path / "guide.yaml")
    assert guide.step("colour").choices[0].id == "no"
    assert guide.step("colour").choices[0].voice == ("No",)


def test_load_guide_raises_all_errors_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "guide.yaml"
    path.write_text(broken("title: Practice", "title: ''").replace("start: colour", "start: x"))
    with pytest.raises(GuideErrors) as caught:
        load_guide(path)
    assert where(caught.value.errors) == [(2, "title"), (5, "start")]
    assert str(caught.value).count(str(path)) == 2
