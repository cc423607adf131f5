"""Numbers as each language writes them: the one way a typed number is read and a number is shown.

``parse_number`` reads what a citizen typed in their language's form, with Babel's CLDR data
for that language: its decimal mark and digit grouping ("72,5" in Norwegian, "72.5" in English,
"٧٢٫٥" in Arabic). Latin digits are read in every language; a language whose native digits are
Eastern Arabic (ar: ٠-٩) or Persian (fa, ur: ۰-۹) is read in both of those sets too, with their
decimal mark (٫) and group mark (٬). A point is also read as a decimal mark wherever the
language does not group digits with it: it is the form on a numeric keypad and the form the kiosk
itself puts in the field for a number said aloud.

``format_number`` writes a number the way the language shows it (CLDR's default numbering system:
Persian digits in fa, Latin digits with a point in ar and ur, a decimal comma in nb). The
Localizer formats every number it puts into a text this way.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

__all__ = ["NotANumber", "decimal_places", "format_number", "parse_number", "typed_pattern"]

_DIGITS = {"arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
"""The digits of the numbering systems Babel knows for our languages but writes in Latin digits
(Babel formats every system with 0-9; only the separators change)."""
_LATIN = "0123456789"
_TO_LATIN = str.maketrans("".join(_DIGITS.values()), _LATIN * len(_DIGITS))
_SIGNS = "+-−"
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))
"""Left-to-right, right-to-left and Arabic letter marks: CLDR puts them in some minus signs
(fa: "\u200e−"), and text pasted from a right-to-left page carries them; they are no part of the
number."""


class NotANumber(ValueError):
    """What was typed is no number in the language's form."""


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _systems(lang: str) -> tuple[str, ...]:
    """The numbering systems a citizen of lang may type in: Latin digits always, then the
    language's default and native systems (CLDR), each only if Babel has its symbols."""
    locale = _locale(lang)
    found = ("latn", locale.default_numbering_system,
             locale.other_numbering_systems.get("native", "latn"))
    return tuple(system for system in dict.fromkeys(found)
                 if locale.number_symbols.get(system, {}).get("decimal"))


@cache
def _typed_characters(lang: str) -> frozenset[str]:
    """Every character a number may be typed with in lang: its digits, its decimal and group
    marks, the point, signs and spaces."""
    locale = _locale(lang)
    marks = {symbol for system in _systems(lang)
             for symbol in (locale.number_symbols[system].get("decimal"),
                            locale.number_symbols[system].get("group")) if symbol}
    # Both Eastern sets in a language that writes either: an Arabic keyboard types ٠-٩, a
    # Persian or Urdu one ۰-۹, and the citizen types on whichever the kiosk has.
    eastern = any(system in _DIGITS for system in _systems(lang))
    digits = "".join(_DIGITS.values()) if eastern else ""
    return frozenset({*_LATIN, *digits, *"".join(marks), ".", *_SIGNS, " ", "\u00a0"})


def typed_pattern(lang: str) -> str:
    """A regular expression for what a number field in lang lets through as it is typed."""
    return "[" + re.escape("".join(sorted(_typed_characters(lang)))) + "]*"


def parse_number(text: str, lang: str) -> Decimal:
    """The number typed in ``text``, read in lang's form; NotANumber when it is none.

    Spaces anywhere are dropped (a space groups thousands in many languages, and a stray one
    at the ends is no mistake). Grouping must be right where it is typed: "72,5" in English is
    no number (not 725), so a comma typed for a decimal mark is refused, never misread."""
    typed = "".join(text.split()).translate(_BIDI_MARKS).replace("−", "-")
    if not typed or not set(typed) <= _typed_characters(lang):
        raise NotANumber(text)
    typed = typed.translate(_TO_LATIN)
    for system in _systems(lang):
        try:
            return parse_decimal(typed, _locale(lang), strict=True, numbering_system=system)
        except NumberFormatError:
            continue
    raise NotANumber(text)


def format_number(value: int | float | Decimal, lang: str) -> str:
    """A number as lang shows it: its digits, decimal mark and grouping (up to 3 decimals)."""
    system = _locale(lang).default_numbering_system
    written = format_decimal(value, locale=_locale(lang), numbering_system=system)
    digits = _DIGITS.get(system)
    return written.translate(str.maketrans(_LATIN, digits)) if digits else written


def decimal_places(value: Decimal) -> int:
    """Digits after the decimal mark that count: 72.50 has 1, 72 and 7.2E+1 have 0."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0

