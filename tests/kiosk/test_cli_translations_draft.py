"""`kiosk translations draft LANG` for real: a tiny Argos en->nb package (built by the test, its
words gibberish) fills the missing entries of a temporary copy of the bokmål catalog (the
repo's catalogs are never written). Filled entries are fuzzy, so the kiosk keeps showing them in
English and the catalog check lists them; an entry whose placeholder the engine lost is left
empty and reported; nothing else in the file changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.cli import main
from tests.translations.tiny_argos import build_argosmodel
from translations import catalog as catalogs
from translations.catalog import Localizer, catalog_problems
from translations.languages import get_language
from translations.mt_argos import add_package

os.environ.setdefault("ARGOS_COMPUTE_TYPE", "float32")

BLANKED = ("Back", "Repeat", "Unit: {unit}")
"""Entries emptied in the copy; "Next" is taken out of it altogether."""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argosmodel(tmp_path_factory.mktemp("argosmodels"), "en", "nb")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HELSELOS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def _blank(text: str) -> str:
    """The bokmål catalog with BLANKED emptied, "Next" removed and the first plural entry
    missing a form."""
    for msgid in BLANKED:
        start = text.index(f'msgid "{msgid}"\nmsgstr "')
        end = text.index("\n", text.index("msgstr", start))
        text = text[:start] + f'msgid "{msgid}"\nmsgstr ""' + text[end:]
    start = text.index('msgid "Next"\n')
    text = text[:start] + text[text.index("\n\n", start) + 2:]
    first = text.index("msgstr[1] ")
    return text[:first] + 'msgstr[1] ""' + text[text.index("\n", first):]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    path = tmp_path / "nb.po"
    path.write_text(_blank(get_language("nb").catalog.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return path


def _entries(path: Path) -> dict[str, tuple[object, bool]]:
    with path.open("rb") as handle:
        return {m.id: (m.string, m.fuzzy) for m in read_po(handle, locale="nb")
                if isinstance(m.id, str)}


def test_draft_fills_missing_entries_as_fuzzy_and_changes_nothing_else(
        state: Path, package: Path, copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_package(package, state)
    before = copy.read_text(encoding="utf-8")
    assert main(["translations", "draft", "nb", "--catalog", str(copy)]) == 0
    out = capsys.readouterr().out
    after = _entries(copy)
    for msgid in ("Back", "Repeat", "Next"):
        text, fuzzy = after[msgid]
        assert text and fuzzy, msgid
    assert after["Unit: {unit}"] == ("", False), "a lost placeholder is never written"
    assert "skipped 'Unit: {unit}': the translation lost or changed a {placeholder}" in out
    assert "plural forms: a translator writes each one" in out
    assert f"{copy}: filled " in out and "marked fuzzy" in out

    # Exactly these edits: a fuzzy flag and the msgstr of each emptied entry, the removed
    # entry added at the end; every other line as it was (header, comments, order).
    expected = before
    for msgid in ("Back", "Repeat"):
        quoted = str(after[msgid][0]).replace("\\", "\\\\").replace('"', '\\"')
        expected = expected.replace(f'msgid "{msgid}"\nmsgstr ""\n',
                                    f'#, fuzzy\nmsgid "{msgid}"\nmsgstr "{quoted}"\n')
    text = copy.read_text(encoding="utf-8")
    assert text.startswith(expected)
    assert '\n#, fuzzy\nmsgid "Next"\nmsgstr "' in text[len(expected):]

    # Drafts are listed by the catalog check and never shown: the kiosk's loader drops them.
    problems = catalog_problems("nb", copy)
    assert any("msgid 'Back': marked fuzzy" in problem for problem in problems)
    with copy.open("rb") as handle:
        drafted = read_po(handle, locale="nb")
    catalogs._compiled.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(catalogs, "load_catalog", lambda lang: drafted)
            bokmal = Localizer("nb")
            assert bokmal.gettext("Back") == "Back" and bokmal.gettext("Yes") == "Ja"
    finally:
        catalogs._compiled.cache_clear()


def test_dry_run_writes_nothing_and_a_missing_pair_or_english_is_refused(
        state: Path, package: Path, copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = copy.read_bytes()
    assert main(["translations", "draft", "nb", "--catalog", str(copy)]) == 2
    assert "no machine translation from en to nb" in capsys.readouterr().err
    add_package(package, state)
    assert main(["translations", "draft", "nb", "--catalog", str(copy), "--dry-run"]) == 0
    assert ": would fill " in capsys.readouterr().out
    assert copy.read_bytes() == before
    assert main(["translations", "draft", "en"]) == 2
    assert main(["translations", "draft", "xx", "--catalog", str(copy)]) == 2
