"""Plural forms: every text with a count uses the form its language needs for that count
(through the catalog's Plural-Forms), and the catalog check finds a plural entry with too few
forms or with placeholders that differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.screens.idle import idle_notice
from translations.catalog import Localizer, catalog_problems


@pytest.mark.parametrize(("lang", "one", "many"), [
    ("en", "for 1 minute,", "for 3 minutes,"),
    ("nb", "på 1 minutt,", "på 3 minutter,"),
])
def test_the_idle_notice_says_one_minute(lang: str, one: str, many: str) -> None:
    l10n = Localizer(lang)
    assert one in idle_notice(l10n, 60)
    assert many in idle_notice(l10n, 180)


def test_seconds_in_both_forms() -> None:
    l10n = Localizer("nb")
    assert "på 90 sekunder," in idle_notice(l10n, 90)
    one, many = ("Too many wrong PINs. Try again in {count} second.",
                 "Too many wrong PINs. Try again in {count} seconds.")
    assert l10n.nformat(one, many, 1) == "For mange feil PIN-koder. Prøv igjen om 1 sekund."
    assert l10n.nformat(one, many, 2) == "For mange feil PIN-koder. Prøv igjen om 2 sekunder."


PO_HEAD = '''msgid ""
msgstr ""
"Language: nb\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

'''


def test_a_plural_entry_needs_every_form(tmp_path: Path) -> None:
    path = tmp_path / "nb.po"
    path.write_text(PO_HEAD + 'msgid "{count} day"\nmsgid_plural "{count} days"\n'
                    'msgstr[0] "{count} dag"\nmsgstr[1] ""\n', encoding="utf-8")
    assert any("needs 2 plural forms, has 1" in p for p in catalog_problems("nb", path))


def test_a_plural_form_keeps_the_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "nb.po"
    path.write_text(PO_HEAD + 'msgid "{count} day"\nmsgid_plural "{count} days"\n'
                    'msgstr[0] "{count} dag"\nmsgstr[1] "{n} dager"\n', encoding="utf-8")
    assert any("placeholders differ" in p for p in catalog_problems("nb", path))
