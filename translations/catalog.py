"""Translate what the kiosk shows and says: gettext catalogs compiled in memory, plus numbers
and dates as each language writes them.

Msgids are English sentences. Each PO file is compiled once per process with Babel (no .mo
files to keep in sync). A msgid missing from a catalog shows in English, and a placeholder
missing from the values stays visible as ``{name}``; both are only *counted* per language, so
the counters can be logged without ever holding what a citizen typed.
"""

from __future__ import annotations

import datetime as dt_
import gettext
import string
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from translations.display import LTR, RTL, Display
from translations.languages import Language, UnknownLanguage, get_language
from translations.numbers import format_number

__all__ = [
    "KIOSK_TZ",
    "N_",
    "Localizer",
    "UnknownLanguage",
    "catalog_problems",
    "load_catalog",
    "missing_counts",
    "reset_missing_counts",
]

KIOSK_TZ = ZoneInfo("Europe/Oslo")
"""Times are shown in the time zone of the health services the kiosk serves."""


def N_(msgid: str) -> str:
    """Mark a string kept as data (a constant, a class attribute) for extraction; no-op."""
    return msgid


# Babel (CLDR) date patterns live in the catalogs so every language orders them its own way.
WHEN_PATTERN = N_("EEEE d MMMM 'at' HH:mm")
DATE_PATTERN = N_("EEEE d MMMM")
TIME_PATTERN = N_("HH:mm")
DAY_PATTERN = N_("d MMMM y")

_lock = threading.Lock()
_missing: Counter[tuple[str, str]] = Counter()


def _count(lang: str, kind: str) -> None:
    with _lock:
        _missing[(lang, kind)] += 1


def missing_counts() -> dict[tuple[str, str], int]:
    """(language, "msgid" | "placeholder") -> how often a text fell back since start."""
    with _lock:
        return dict(_missing)


def reset_missing_counts() -> None:
    with _lock:
        _missing.clear()


@cache
def load_catalog(lang: str) -> Catalog:
    """The parsed PO catalog of a registered language."""
    language = get_language(lang)
    with language.catalog.open("rb") as handle:
        return read_po(handle, locale=lang)


@dataclass(frozen=True)
class _Compiled:
    translations: gettext.GNUTranslations
    msgids: frozenset[str]
    plurals: frozenset[str]
    """The singular msgids of the entries with plural forms."""


@cache
def _compiled(lang: str) -> _Compiled:
    catalog = load_catalog(lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    # Entries with an empty msgstr are left out of the .mo (they mean "same as English"), so
    # which msgids exist is remembered separately to tell "identity" from "missing".
    msgids = frozenset(m.id for m in catalog if m.id and isinstance(m.id, str))
    plurals = frozenset(m.id[0] for m in catalog if isinstance(m.id, tuple | list))
    return _Compiled(gettext.GNUTranslations(buffer), msgids, plurals)


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed>"}


def catalog_problems(lang: str, path: Path | None = None) -> list[str]:
    """Untranslated, fuzzy or placeholder-mismatched entries of lang's catalog (or of path)."""
    if path is None:
        catalog = load_catalog(lang)
    else:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        where = f"{path or get_language(lang).catalog}:{message.lineno}: msgid {message.id!r}"
        if isinstance(message.id, tuple | list):
            problems += _plural_problems(lang, catalog, message, where)
            continue
        if message.fuzzy:
            problems.append(f"{where}: marked fuzzy")
        text = message.string
        if not text:
            if lang != "en":
                problems.append(f"{where}: not translated")
            continue
        if isinstance(text, str) and _placeholders(text) != _placeholders(message.id):
            problems.append(f"{where}: placeholders differ from the msgid")
    return problems


def _plural_problems(lang: str, catalog: Catalog, message: Any, where: str) -> list[str]:
    """A plural entry needs as many forms as the language has (CLDR, through Babel), each
    with the placeholders of the English plural."""
    if message.fuzzy:
        return [f"{where}: marked fuzzy"]
    forms = list(message.string) if isinstance(message.string, tuple | list) else []
    if not any(forms) and lang == "en":
        return []
    problems = []
    if len(forms) != catalog.num_plurals or not all(forms):
        problems.append(f"{where}: needs {catalog.num_plurals} plural forms, has "
                        f"{sum(1 for form in forms if form)}")
    wanted = _placeholders(message.id[1])
    if any(_placeholders(form) != wanted for form in forms if form):
        problems.append(f"{where}: placeholders differ from the msgid")
    return problems


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


class _Missing:
    """Stands in for a value nobody supplied, so the text still shows and nothing crashes."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"

    def __str__(self) -> str:
        return "{" + self.name + "}"

    __repr__ = __str__


class _Values(dict[str, Any]):
    def __init__(self, values: dict[str, Any], on_missing: Any) -> None:
        super().__init__(values)
        self._on_missing = on_missing

    def __missing__(self, key: str) -> _Missing:
        self._on_missing()
        return _Missing(key)


class Localizer:
    """Everything one language needs to show text: translation, formatting and dates."""

    def __init__(self, lang: str) -> None:
        self.language: Language = get_language(lang)
        self._compiled = _compiled(lang)

    @property
    def lang(self) -> str:
        return self.language.code

    @property
    def direction(self) -> str:
        return self.language.direction

    @property
    def display(self) -> Display:
        """How this language's text is drawn: the one display path (translations.display)."""
        return RTL if self.language.direction == "rtl" else LTR

    def gettext(self, msgid: str) -> str:
        if not msgid:
            return ""  # gettext would return the catalog header for ""
        if msgid not in self._compiled.msgids:
            _count(self.lang, "msgid")
            return msgid
        return self._compiled.translations.gettext(msgid)

    _ = gettext

    def format(self, msgid: str, **values: Any) -> str:
        """Translate, then fill {placeholders}; a missing value stays visible as {name}."""
        return self._fill(self.gettext(msgid), msgid, values)

    def _fill(self, text: str, english: str, values: dict[str, Any]) -> str:
        # A number in a text reads as the language writes numbers (72,5 or ۷۲٫۵), wherever
        # it comes from: a count, a range in an error, a value from the service.
        values = {name: self.number(value) if _is_number(value) else value
                  for name, value in values.items()}
        counted = False

        def on_missing() -> None:
            nonlocal counted
            if not counted:
                counted = True
                _count(self.lang, "placeholder")

        for candidate in (text, english):
            try:
                return candidate.format_map(_Values(values, on_missing))
            except (ValueError, IndexError, AttributeError, TypeError, KeyError):
                # A broken translation (stray brace, positional field) falls back to English.
                on_missing()
        return text

    def nformat(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The form of the text that fits count in this language (Babel's CLDR plural rules,
        via the catalog's Plural-Forms), with {count} and the other placeholders filled."""
        if singular in self._compiled.plurals:
            text = self._compiled.translations.ngettext(singular, plural, count)
        else:
            _count(self.lang, "msgid")
            text = singular if count == 1 else plural
        return self._fill(text, singular if count == 1 else plural, dict(values, count=count))

    def number(self, value: int | float | Decimal) -> str:
        """A number as this language shows it, e.g. "72,5" (translations.numbers)."""
        return format_number(value, self.lang)

    def when(self, dt: datetime) -> str:
        """Weekday, date and time, e.g. "Tuesday 3 December at 10:15"."""
        return self._date(dt, WHEN_PATTERN)

    def date(self, dt: datetime) -> str:
        """Weekday and date, e.g. "tirsdag 3. desember"."""
        return self._date(dt, DATE_PATTERN)

    def time(self, dt: datetime) -> str:
        return self._date(dt, TIME_PATTERN)

    def day(self, day: dt_.date) -> str:
        """A calendar day with its year, e.g. "3 October 2025" (a vaccine given, a date due)."""
        return format_date(day, self.gettext(DAY_PATTERN), locale=self.lang)

    def _date(self, dt: datetime, pattern: str) -> str:
        # Naive datetimes are taken as already local; Babel would otherwise assume UTC.
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=KIOSK_TZ)
        return format_datetime(dt, self.gettext(pattern), tzinfo=KIOSK_TZ, locale=self.lang)
