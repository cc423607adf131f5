"""Localizer against the shipped catalogs: translation, fallbacks, formatting and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from translations.catalog import (
    Localizer,
    UnknownLanguage,
    catalog_problems,
    missing_counts,
    reset_missing_counts,
)

# Tuesday 3 December 2024, 10:15 in Oslo (UTC+1 in winter).
MEETING_UTC = datetime(2024, 12, 3, 9, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    reset_missing_counts()


def test_norwegian_translates_ui_text() -> None:
    nb = Localizer("nb")
    assert nb.gettext("Choose your language") == "Velg språk"
    assert nb._("Back") == "Tilbake"
    assert nb.lang == "nb"
    assert nb.direction == "ltr"


def test_english_catalog_is_identity() -> None:
    en = Localizer("en")
    assert en.gettext("Choose your language") == "Choose your language"
    assert missing_counts() == {}


def test_when_in_both_languages() -> None:
    assert Localizer("en").when(MEETING_UTC) == "Tuesday 3 December at 10:15"
    assert Localizer("nb").when(MEETING_UTC) == "tirsdag 3. desember kl. 10:15"


def test_when_converts_other_zones_and_takes_naive_as_local() -> None:
    new_york = MEETING_UTC.astimezone(ZoneInfo("America/New_York"))
    assert Localizer("en").when(new_york) == "Tuesday 3 December at 10:15"
    assert Localizer("nb").when(datetime(2024, 12, 3, 10, 15)) == "tirsdag 3. desember kl. 10:15"


def test_summer_time_is_applied() -> None:
    assert Localizer("nb").time(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)) == "10:00"


def test_date_and_time() -> None:
    nb = Localizer("nb")
    assert nb.date(MEETING_UTC) == "tirsdag 3. desember"
    assert nb.time(MEETING_UTC) == "10:15"
    assert Localizer("en").date(MEETING_UTC) == "Tuesday 3 December"


def test_a_day_with_its_year_in_both_languages() -> None:
    assert Localizer("en").day(date(2025, 10, 3)) == "3 October 2025"
    assert Localizer("nb").day(date(2025, 10, 3)) == "3. oktober 2025"


def test_unknown_language_lists_known_ones() -> None:
    with pytest.raises(UnknownLanguage) as excinfo:
        Localizer("xx")
    assert "'xx'" in str(excinfo.value)
    assert "nb" in str(excinfo.value)
    assert "en" in str(excinfo.value)


def test_missing_msgid_falls_back_to_english_and_is_counted() -> None:
    text = "A sentence nobody has translated yet."
    assert Localizer("nb").gettext(text) == text
    assert missing_counts() == {("nb", "msgid"): 1}


def test_format_fills_placeholders_after_translating() -> None:
    nb = Localizer("nb")
    text = nb.format("A staff member is helping you: {name}", name="Ola")
    assert text == "En ansatt hjelper deg: Ola"


def test_format_keeps_a_missing_placeholder_visible() -> None:
    nb = Localizer("nb")
    text = nb.format("Please enter a number between {minimum} and {maximum} {unit}.",
                     minimum=40, maximum=200)
    assert text == "Skriv inn et tall mellom 40 og 200 {unit}."
    counts = missing_counts()
    assert counts == {("nb", "placeholder"): 1}
    # The counter holds language and kind only: nothing a citizen could have typed.
    assert all(isinstance(n, int) for n in counts.values())


def test_format_survives_a_format_spec_on_a_missing_value() -> None:
    assert Localizer("en").format("{n:d} left", m=1) == "{n} left"


def test_format_survives_broken_braces() -> None:
    assert Localizer("en").format("Price {", x=1) == "Price {"


def test_shipped_catalogs_have_no_problems() -> None:
    assert catalog_problems("nb") == []
    assert catalog_problems("en") == []


def test_catalog_problems_finds_untranslated_fuzzy_and_placeholder_errors(tmp_path) -> None:
    po = tmp_path / "nb.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Back"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Next"\nmsgstr "Neste"\n\n'
        'msgid "Hello {name}"\nmsgstr "Hei {navn}"\n\n'
        'msgid "Yes"\nmsgstr "Ja"\n',
        encoding="utf-8",
    )
    problems = catalog_problems("nb", po)
    assert problems == [
        f"{po}:5: msgid 'Back': not translated",
        f"{po}:9: msgid 'Next': marked fuzzy",
        f"{po}:12: msgid 'Hello {{name}}': placeholders differ from the msgid",
    ]


def test_empty_text_stays_empty() -> None:
    assert Localizer("nb").gettext("") == ""
    assert missing_counts() == {}
