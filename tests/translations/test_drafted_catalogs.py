"""Catalogs drafted for languages the kiosk does not offer yet (the language issue registers
them with their review status): each one is kept complete and valid as the kiosk's text
changes, and says in its first line that it is a draft nobody fluent has reviewed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from translations import catalog as catalog_module
from translations.catalog import catalog_problems
from translations.extract import missing_in_catalog, unused_in_catalog
from translations.languages import LANGUAGES, Language

LOCALE = Path(catalog_module.__file__).parent / "locale"
DRAFTED = sorted(p.stem for p in LOCALE.glob("*.po") if p.stem not in LANGUAGES)


@pytest.fixture
def registered(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    code: str = request.param
    monkeypatch.setitem(LANGUAGES, code, Language(
        code=code, native_name=code, english_name=code, direction="ltr", espeak_voice="",
        catalog=LOCALE / f"{code}.po"))
    yield code
    catalog_module.load_catalog.cache_clear()
    catalog_module._compiled.cache_clear()


def test_there_are_drafted_catalogs() -> None:
    assert "ko" in DRAFTED  # the voice tests run the kiosk in Korean


@pytest.mark.parametrize("registered", DRAFTED, indirect=True)
def test_a_drafted_catalog_is_complete_valid_and_says_it_is_a_draft(registered: str) -> None:
    code = registered
    first_line = (LOCALE / f"{code}.po").read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Draft"), f"{code}.po must say it is a draft"
    assert missing_in_catalog(code) == []
    assert unused_in_catalog(code) == []
    assert catalog_problems(code) == []
