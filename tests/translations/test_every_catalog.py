"""Every catalog under translations/locale, registered or not: complete (every msgid the kiosk
uses, none it no longer uses), no empty or fuzzy entry, placeholders as in the msgid, plural
forms as Babel's CLDR data has them for the language, and a valid review status.

Korean's catalog is drafted for the voice tests and not offered; it is registered here for the
test only, as those tests do."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from translations import catalog as catalog_module
from translations.catalog import catalog_problems
from translations.extract import missing_in_catalog, unused_in_catalog
from translations.languages import LANGUAGES, Language
from translations.review import read_review

LOCALE = Path(catalog_module.__file__).parent / "locale"
CATALOGS = sorted(p.stem for p in LOCALE.glob("*.po"))
UNREGISTERED = [code for code in CATALOGS if code not in LANGUAGES]
_PLURAL_FORMS = re.compile(r'^"Plural-Forms: nplurals=(\d+); plural=(.+?);?\\n"$', re.M)
COUNTS = range(0, 1001)
"""Counts a text may hold (whole numbers: gettext's plural forms are for counts)."""


@pytest.fixture
def registered(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    code: str = request.param
    if code not in LANGUAGES:
        monkeypatch.setitem(LANGUAGES, code, Language(
            code=code, native_name=code, english_name=code, direction="ltr", espeak_voice=None,
            catalog=LOCALE / f"{code}.po"))
    yield code
    catalog_module.load_catalog.cache_clear()
    catalog_module._compiled.cache_clear()


def test_the_issue_languages_have_catalogs_and_korean_is_not_offered() -> None:
    assert UNREGISTERED == ["ko"]  # the voice tests run the kiosk in Korean
    assert set(LANGUAGES) <= set(CATALOGS)


@pytest.mark.parametrize("registered", CATALOGS, indirect=True)
def test_a_catalog_is_complete_and_valid(registered: str) -> None:
    code = registered
    assert missing_in_catalog(code) == []
    assert unused_in_catalog(code) == []
    assert catalog_problems(code) == []


@pytest.mark.parametrize("code", CATALOGS)
def test_plural_forms_are_the_languages_own(code: str) -> None:
    """The header's Plural-Forms sorts every count as CLDR does, one form per CLDR category a
    count can fall in (Polish has "other" only for fractions: three forms, not four)."""
    text = (LOCALE / f"{code}.po").read_text(encoding="utf-8")
    found = _PLURAL_FORMS.search(text)
    assert found, f"{code}.po has no Plural-Forms header"
    nplurals, expression = int(found.group(1)), gettext.c2py(found.group(2))
    cldr = Locale.parse(code).plural_form
    form_of_category: dict[str, int] = {}
    for count in COUNTS:
        form = expression(count)
        assert form_of_category.setdefault(cldr(count), form) == form, (
            f"{code}.po puts {count} in form {form}, CLDR in {cldr(count)!r} with other forms")
    assert sorted(form_of_category.values()) == list(range(nplurals)), (
        f"{code}.po has {nplurals} plural forms; CLDR sorts counts into "
        f"{sorted(form_of_category)}")


@pytest.mark.parametrize("code", CATALOGS)
def test_a_catalog_records_its_review_status(code: str) -> None:
    review = read_review(LOCALE / f"{code}.po")
    first_line = (LOCALE / f"{code}.po").read_text(encoding="utf-8").splitlines()[0]
    # Nobody fluent has reviewed any catalog yet: a catalog marked reviewed here is a mistake
    # until a reviewer is named in its header (translations/review.py checks that part).
    assert review.drafted, f"{code}.po is marked reviewed"
    if code not in ("nb", "en"):
        assert first_line.startswith("# Draft"), f"{code}.po must say it is a draft"
