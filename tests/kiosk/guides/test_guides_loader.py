"""Loading guide files and folders: YAML syntax errors, all errors at once, duplicate ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.guides.loader import (
    GuideError,
    GuideErrors,
    bundled_guides_dir,
    check_paths,
    load_guide,
    load_guides,
)

DATA = Path(__file__).parent / "data"


def test_yaml_syntax_error_becomes_a_guide_error_with_its_line() -> None:
    with pytest.raises(GuideErrors) as caught:
        load_guide(DATA / "bad_syntax.yaml")
    [error] = caught.value.errors
    assert (error.line, error.field) == (6, None)
    assert str(error) == (
        f"{DATA / 'bad_syntax.yaml'}:6: YAML syntax: mapping values are not allowed here."
        " Check the indentation and the ':' after each field name on this line and above."
    )


def test_tabs_get_their_own_hint(tmp_path: Path) -> None:
    path = tmp_path / "tabs.yaml"
    path.write_text("id: tabs\nsteps:\n\t- id: a\n", encoding="utf-8")
    [error] = check_paths([path], None, None)
    assert error.line == 3
    assert error.message.endswith("Indent with spaces, not tabs.")


def test_two_documents_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("id: one\n---\nid: two\n", encoding="utf-8")
    [error] = check_paths([path], None, None)
    assert error.line == 2
    assert "one guide per file" in error.message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    [error] = check_paths([path], None, None)
    assert (error.line, error.field) == (1, None)
    assert error.message.startswith("the file is empty")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Bokmål\n".encode("latin-1"))
    [error] = check_paths([path], None, None)
    assert str(error) == f"{path}: the file is not UTF-8 text; save it as UTF-8."


def test_missing_path_is_reported(tmp_path: Path) -> None:
    [error] = check_paths([tmp_path / "nowhere"], None, None)
    assert error.message == "there is no such file or folder."


def test_load_guides_gathers_errors_from_every_file() -> None:
    with pytest.raises(GuideErrors) as caught:
        load_guides([DATA])
    found = [(e.path.name, e.line, e.field) for e in caught.value.errors]
    assert found == [
        ("bad_many.yaml", 4, "icon_label"),
        ("bad_many.yaml", 8, "steps.first.kind"),
        ("bad_many.yaml", 13, "steps.done.colour"),
        ("bad_syntax.yaml", 6, None),
    ]
    assert all(isinstance(e, GuideError) for e in caught.value.errors)
    assert "Did you mean 'confirm'?" in caught.value.errors[1].message


def test_duplicate_guide_ids_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    shutil.copy(DATA / "practice.yaml", first / "practice.yaml")
    copy = second / "again.yaml"
    copy.write_text("# a copy\n" + (DATA / "practice.yaml").read_text(), encoding="utf-8")
    errors = check_paths([first, second], None, None)
    assert [(e.path, e.line, e.field) for e in errors] == [(copy, 3, "id")]
    assert f"already used by {first / 'practice.yaml'}" in errors[0].message


def test_guides_are_sorted_by_order(tmp_path: Path) -> None:
    shutil.copy(DATA / "practice.yaml", tmp_path / "a_practice.yaml")
    shutil.copy(bundled_guides_dir() / "appointment.yaml", tmp_path / "z_appointment.yaml")
    guides = load_guides([tmp_path])
    assert [(g.id, g.order) for g in guides] == [("appointment", 10), ("practice", 90)]
