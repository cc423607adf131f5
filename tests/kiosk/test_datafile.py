"""The one loader of the kiosk's data files: plain data with the line of each key path, typed
models validated by msgspec, msgspec's messages in the file's own words, every problem at once,
and rules that run on every part that is valid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar

import msgspec
import pytest
from msgspec import Meta

from kiosk.datafile import (
    At,
    DataFileError,
    DataFileErrors,
    Rule,
    Rules,
    Says,
    check,
    load,
    read,
)

Name = Annotated[str, Meta(pattern=r"\A[a-z_]+\Z"), Says(
    wrong="must be a name, not {shown}.", bad="'{value}' is not a usable name.")]
Count = Annotated[int, Meta(ge=1), Says(wrong="must be a whole number, not {shown}.",
                                        bad="must be 1 or more, not {value}.")]


class Item(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    noun: ClassVar[str] = "an item"

    id: Name
    label: Annotated[str, Rule("not_blank"), Says(wrong="must be text, not {shown}.")]
    count: Count = 1
    until: Count | None = None


class Shelf(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    noun: ClassVar[str] = "a shelf"

    name: Name
    items: Annotated[tuple[Item, ...], Rule("ids_differ"), Says(wrong="must be a list of items.")]


RULES: Rules[None] = Rules()


@RULES.check("not_blank")
def not_blank(value: str, at: At[None]) -> None:
    if not value.strip():
        at.error("is empty.")


@RULES.check("ids_differ")
def ids_differ(items: tuple[Item, ...], at: At[None]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            at.error(f"'{item.id}' is used twice.", index, "id")
        seen.add(item.id)


GOOD = """\
name: pantry
items:
  - id: flour
    label: No
    count: 2
  - {id: salt, label: Salt}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shelf.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[tuple[int, str | None, str]]:
    loaded = check(write(tmp_path, text), Shelf, rules=RULES)
    return [(e.line, e.field, e.message) for e in loaded.errors]


def test_plain_data_and_the_line_of_every_key_path(tmp_path: Path) -> None:
    doc = read(write(tmp_path, GOOD))
    assert doc.data["items"][0] == {"id": "flour", "label": False, "count": 2}
    assert doc.lines[("items", 0, "count")] == 5
    assert doc.lines[("items", 1)] == 6
    assert doc.lines[("name",)] == 1
    assert ("items", 1, "label") in set(doc.lines)


def test_a_valid_file_becomes_its_model_with_text_as_written(tmp_path: Path) -> None:
    shelf = load(write(tmp_path, GOOD), Shelf, rules=RULES)
    assert shelf == Shelf("pantry", (Item("flour", "No", 2), Item("salt", "Salt")))


def test_every_problem_at_once_in_the_files_own_words(tmp_path: Path) -> None:
    text = GOOD.replace("count: 2", "count: 0\n    colour: red").replace("id: salt", "id: 2salt")
    assert problems(tmp_path, text) == [
        (6, "items.flour.colour", "an item has no field 'colour'. Allowed fields: id, label,"
                                  " count, until."),
        (5, "items.flour.count", "must be 1 or more, not 0."),
        (7, "items[1].id", "'2salt' is not a usable name."),
    ]


def test_missing_and_repeated_fields(tmp_path: Path) -> None:
    text = GOOD.replace("    label: No\n", "    count: 3\n")
    assert problems(tmp_path, text) == [
        (5, "items.flour.count", "appears twice in an item; keep only one."),
        (3, "items.flour.label", "is missing; an item needs it."),
    ]


def test_rules_run_on_the_parts_that_are_valid(tmp_path: Path) -> None:
    text = GOOD.replace("name: pantry", "name: [pantry]").replace("id: salt", "id: flour")
    text = text.replace("label: Salt", "label: ' '")
    assert problems(tmp_path, text) == [
        (1, "name", "must be a name, not a list."),
        (6, "items.flour.label", "is empty."),
        (6, "items.flour.id", "'flour' is used twice."),
    ]


def test_an_optional_field_written_empty_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD.replace("count: 2", "until:")) == [
        (5, "items.flour.until", "must be a whole number, not ''."),
    ]


def test_broken_yaml_and_unreadable_files(tmp_path: Path) -> None:
    [(line, field, message)] = problems(tmp_path, "name: [pantry\n")
    assert (line, field) == (2, None) and message.startswith("YAML syntax: ")
    with pytest.raises(DataFileErrors) as caught:
        load(tmp_path / "nowhere.yaml", Shelf)
    [error] = caught.value.errors
    assert isinstance(error, DataFileError)
    assert str(error) == f"{tmp_path / 'nowhere.yaml'}: cannot read the file (No such file or" \
        " directory)."
