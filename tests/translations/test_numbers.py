"""Numbers as each language writes them: typed numbers are read in the citizen's language's form
(Babel's CLDR data), and numbers in a text are written in it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kiosk.guides.runner import EXAMPLE, NOT_A_NUMBER
from translations.catalog import Localizer
from translations.numbers import (
    NotANumber,
    decimal_places,
    format_number,
    parse_number,
    typed_pattern,
)


@pytest.mark.parametrize(
    ("lang", "typed", "value"),
    [
        ("nb", "72,5", "72.5"),
        ("nb", " 72,50 ", "72.50"),
        ("nb", "1 500", "1500"),  # a space groups thousands in Norwegian
        ("nb", "72.5", "72.5"),  # a point is no group mark here: the numeric keypad's mark
        ("nb", "-1", "-1"),
        ("en", "72.5", "72.5"),
        ("en", "1,500", "1500"),
        ("ar", "72.5", "72.5"),
        ("ar", "\u0667\u0662\u066b\u0665", "72.5"),  # ٧٢٫٥: Eastern Arabic digits, Arabic mark
        ("ar", "\u0667\u0662.\u0665", "72.5"),  # Eastern digits with a point
        ("ar", "\u06f7\u06f2", "72"),  # ۷۲ typed on a Persian keyboard
        ("fa", "\u06f7\u06f2\u066b\u06f5", "72.5"),  # ۷۲٫۵: Persian digits
        ("fa", "\u06f1\u066c\u06f5\u06f0\u06f0", "1500"),  # ۱٬۵۰۰: with the Arabic group mark
        ("fa", "\u200e\u2212\u06f3", "-3"),  # Persian minus as CLDR writes it: a mark and −
        ("fa", "72.5", "72.5"),
        ("ur", "\u06f7\u06f2\u066b\u06f5", "72.5"),
        ("ur", "72.5", "72.5"),
    ],
)
def test_a_number_is_read_in_the_languages_form(lang: str, typed: str, value: str) -> None:
    assert parse_number(typed, lang) == Decimal(value)


@pytest.mark.parametrize(
    ("lang", "typed"),
    [
        ("en", "72,5"),  # a decimal comma in English is refused, never read as 725
        ("en", "1,50"),
        ("nb", "72,5,1"),
        ("nb", "seventy"),
        ("nb", "\u0667\u0662"),  # Eastern Arabic digits are Arabic, Persian and Urdu only
        ("en", "1e5"),
        ("en", "NaN"),
        ("en", ""),
        ("fa", "72,5"),
    ],
)
def test_what_is_no_number_in_the_language_is_refused(lang: str, typed: str) -> None:
    with pytest.raises(NotANumber):
        parse_number(typed, lang)


def test_the_field_lets_through_what_the_language_writes_numbers_with() -> None:
    eastern = "\u0667\u0662\u066b\u0665"
    assert re.fullmatch(typed_pattern("ar"), eastern)
    assert re.fullmatch(typed_pattern("fa"), "\u06f7\u06f2\u066b\u06f5")
    assert re.fullmatch(typed_pattern("nb"), "1 500,5")
    assert not re.fullmatch(typed_pattern("nb"), eastern)
    assert not re.fullmatch(typed_pattern("en"), "72kg")


@pytest.mark.parametrize(
    ("lang", "value", "written"),
    [
        ("nb", Decimal("72.5"), "72,5"),
        ("nb", 1500, "1\u00a0500"),
        ("en", Decimal("72.5"), "72.5"),
        ("en", 1500, "1,500"),
        ("ar", Decimal("72.5"), "72.5"),  # CLDR's default for Arabic is Latin digits
        ("fa", Decimal("72.5"), "\u06f7\u06f2\u066b\u06f5"),  # Persian digits and mark
        ("ur", 30, "30"),
    ],
)
def test_a_number_is_written_as_the_language_writes_it(
    lang: str, value: int | Decimal, written: str
) -> None:
    assert format_number(value, lang) == written


def test_the_digits_after_the_mark_that_count() -> None:
    assert decimal_places(Decimal("72.50")) == 1
    assert decimal_places(Decimal("72")) == 0
    assert decimal_places(Decimal("7.2E+1")) == 0


def test_numbers_in_a_text_are_written_in_its_language() -> None:
    # The Localizer writes every number it puts into a text.
    assert Localizer("nb").format(NOT_A_NUMBER, **EXAMPLE) == \
        "Skriv tallet bare med sifre, for eksempel 72 eller 72,5."
    assert Localizer("en").format(NOT_A_NUMBER, **EXAMPLE) == \
        "Please type the number with digits only, for example 72 or 72.5."
    assert Localizer("nb").number(Decimal("29.5")) == "29,5"
