"""The language registry: which languages the kiosk offers, read from languages.yaml.

The file is data, so it is validated like data (kiosk.datafile, into ``LanguagesFile``): every
error names the file, the line and the field. Each catalog's review status is read from its
header (translations.review), so a wrong one also stops the kiosk at start with the PO file's
line. ``LANGUAGES`` is loaded once at import from the shipped file.
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from kiosk.datafile import At, DataFileError, Format, KeyPath, Rule, Rules, Says, Shape, check
from translations.review import UNREVIEWED, Review, read_review

LANGUAGES_FILE = Path(__file__).with_name("languages.yaml")
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
NO_VOICE = "none"
"""``espeak_voice: none``: espeak-ng has no voice for the language (YAML's null reads as a field
written empty, which the data files refuse)."""


@dataclass(frozen=True)
class Language:
    """One language the kiosk offers."""

    code: str
    native_name: str
    """Shown on the language screen in the language itself, e.g. "Norsk bokmål"."""
    english_name: str
    direction: str
    """"ltr" or "rtl"; rtl text must be reordered before it reaches a widget."""
    espeak_voice: str | None
    """The espeak-ng voice name, or None: espeak-ng has no voice for the language."""
    catalog: Path
    """Absolute path of the gettext PO file."""
    filler_words: tuple[str, ...] = ()
    """Common words that are no command on any screen: a speech recognizer listening for a few
    commands hears noise and chatter as these instead of as a command."""
    review: Review = UNREVIEWED
    """Whether a fluent speaker has checked the catalog (its header); drafted until one has."""


class LanguageError(DataFileError):
    """languages.yaml is wrong; str() reads "path:line: field 'x': message"."""

    def __init__(self, path: Path | str, line: int, field: str | None, message: str) -> None:
        super().__init__(path, line, field or "languages", message)


class UnknownLanguage(LookupError):
    """A language code the kiosk does not offer."""

    def __init__(self, code: str, known: list[str]) -> None:
        self.code = code
        self.known = known
        super().__init__(f"unknown language {code!r}; known languages: {', '.join(known)}")


Text = Annotated[str, Meta(pattern=r"\S"), Says(wrong="must be a non-empty text")]


class LanguageEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One language as languages.yaml lists it."""

    code: Annotated[Text, Rule("code")]
    native_name: Text
    english_name: Text
    direction: Annotated[Text, Rule("direction")]
    espeak_voice: Text
    """An espeak-ng voice name, or ``none`` (NO_VOICE): required, so "no voice" is said on
    purpose rather than by leaving the field out."""
    catalog: Annotated[Text, Rule("catalog")]
    """A gettext PO file, relative to languages.yaml."""
    filler_words: tuple[Text, ...] = ()


class LanguagesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    languages: Annotated[
        tuple[Annotated[LanguageEntry, Says(wrong="each entry must be a mapping of fields")], ...],
        Meta(min_length=1), Rule("codes_differ"), Says(wrong="must be a non-empty list"),
    ]


class LanguagesFormat(Format):
    error = LanguageError

    def syntax(self, path: Path, line: int, problem: str, context: str | None) -> DataFileError:
        return LanguageError(path, line, "languages", f"not valid YAML: {problem}")

    def empty(self, at: At[Any], shape: Shape) -> None:
        at.error("the file must hold 'languages:' mapping", line=1)

    def not_a_mapping(self, at: At[Any], shape: Shape, value: object) -> None:
        if at.path:
            super().not_a_mapping(at, shape, value)
        else:
            at.error("the file must hold 'languages:' mapping")

    def unknown_field(self, at: At[Any], shape: Shape, name: str) -> None:
        if at.path:
            known = ", ".join(shape.struct.allowed if shape.struct else ())
            at.error(f"unknown field (known fields: {known})", name)
        else:
            at.error("unknown top-level field", name)

    def duplicate(self, at: At[Any], shape: Shape, line: int) -> None:
        at.error("given twice", line=line)

    def missing(self, at: At[Any], shape: Shape, name: str) -> None:
        at.error("must be a non-empty list" if not at.path else "missing", name, line=at.line())

    def label(self, doc: Any, path: KeyPath, root: Shape) -> str | None:
        """A field by its own name; the list and its entries as "languages"."""
        return next((p for p in reversed(path) if isinstance(p, str)), "languages")


RULES: Rules[None] = Rules()


@RULES.check("code")
def bcp47(code: str, at: At[None]) -> None:
    if not _CODE.fullmatch(code):
        at.error("must be a BCP 47 code such as 'nb'")


@RULES.check("direction")
def direction(value: str, at: At[None]) -> None:
    if value not in ("ltr", "rtl"):
        at.error("must be 'ltr' or 'rtl'")


@RULES.check("catalog")
def catalog_exists(value: str, at: At[None]) -> None:
    catalog = (at.doc.path.parent / value).resolve()
    if not catalog.is_file():
        at.error(f"no such file: {catalog}")


@RULES.check("codes_differ")
def codes_differ(entries: tuple[LanguageEntry, ...], at: At[None]) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.code in seen:
            at.error(f"{entry.code!r} is listed twice", index, field="code")
        seen.add(entry.code)


def load_languages(path: Path = LANGUAGES_FILE) -> dict[str, Language]:
    """Read and validate a languages file and each catalog's review status; the result keeps
    the file's order. Raises the first problem as LanguageError (or ReviewError, naming the
    catalog's line)."""
    loaded = check(path, LanguagesFile, fmt=LanguagesFormat(), rules=RULES)
    if loaded.value is None:
        raise loaded.errors[0]
    return {entry.code: Language(
        code=entry.code, native_name=entry.native_name, english_name=entry.english_name,
        direction=entry.direction,
        espeak_voice=None if entry.espeak_voice == NO_VOICE else entry.espeak_voice,
        catalog=(catalog := (path.parent / entry.catalog).resolve()),
        filler_words=entry.filler_words, review=read_review(catalog),
    ) for entry in loaded.value.languages}


LANGUAGES: dict[str, Language] = load_languages()


def get_language(code: str) -> Language:
    """The registered language for code, or UnknownLanguage naming the known codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise UnknownLanguage(code, list(LANGUAGES)) from None
