"""The language registry: which languages the kiosk offers, read from languages.yaml.

The file is data, so it is validated like data: every error names the file, the line and the
field. ``LANGUAGES`` is loaded once at import from the shipped file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGUAGES_FILE = Path(__file__).with_name("languages.yaml")
_FIELDS = ("code", "native_name", "english_name", "direction", "espeak_voice", "catalog")
_DIRECTIONS = ("ltr", "rtl")
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Language:
    """One language the kiosk offers."""

    code: str
    native_name: str
    """Shown on the language screen in the language itself, e.g. "Norsk bokmål"."""
    english_name: str
    direction: str
    """"ltr" or "rtl"; rtl text must be reordered before it reaches a widget."""
    espeak_voice: str
    catalog: Path
    """Absolute path of the gettext PO file."""


class LanguageError(ValueError):
    """languages.yaml is wrong; str() reads "path:line: field 'x': message"."""

    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        self.path, self.line, self.field, self.message = path, line, field, message
        super().__init__(f"{path}:{line}: field {field!r}: {message}")


class UnknownLanguage(LookupError):
    """A language code the kiosk does not offer."""

    def __init__(self, code: str, known: list[str]) -> None:
        self.code = code
        self.known = known
        super().__init__(f"unknown language {code!r}; known languages: {', '.join(known)}")


def _scalar(node: yaml.Node, path: Path, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise LanguageError(path, node.start_mark.line + 1, field, "must be a non-empty text")
    return str(node.value).strip()


def _language(node: yaml.Node, path: Path) -> Language:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise LanguageError(path, line, "languages", "each entry must be a mapping of fields")
    values: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _FIELDS:
            raise LanguageError(
                path, key_node.start_mark.line + 1, key,
                f"unknown field (known fields: {', '.join(_FIELDS)})",
            )
        if key in values:
            raise LanguageError(path, key_node.start_mark.line + 1, key, "given twice")
        values[key] = _scalar(value_node, path, key)
    for name in _FIELDS:
        if name not in values:
            raise LanguageError(path, line, name, "missing")
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    if not _CODE.fullmatch(values["code"]):
        raise LanguageError(path, lines["code"], "code", "must be a BCP 47 code such as 'nb'")
    if values["direction"] not in _DIRECTIONS:
        raise LanguageError(path, lines["direction"], "direction", "must be 'ltr' or 'rtl'")
    catalog = (path.parent / values["catalog"]).resolve()
    if not catalog.is_file():
        raise LanguageError(path, lines["catalog"], "catalog", f"no such file: {catalog}")
    return Language(
        code=values["code"],
        native_name=values["native_name"],
        english_name=values["english_name"],
        direction=values["direction"],
        espeak_voice=values["espeak_voice"],
        catalog=catalog,
    )


def load_languages(path: Path = LANGUAGES_FILE) -> dict[str, Language]:
    """Read and validate a languages file; the result keeps the file's order."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise LanguageError(path, line, "languages", f"not valid YAML: {exc.problem}") from exc
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise LanguageError(path, line, "languages", "the file must hold 'languages:' mapping")
    entries = None
    for key_node, value_node in root.value:
        if key_node.value != "languages":
            raise LanguageError(
                path, key_node.start_mark.line + 1, str(key_node.value), "unknown top-level field"
            )
        entries = value_node
    if not isinstance(entries, yaml.SequenceNode) or not entries.value:
        line = entries.start_mark.line + 1 if entries is not None else 1
        raise LanguageError(path, line, "languages", "must be a non-empty list")
    languages: dict[str, Language] = {}
    for node in entries.value:
        language = _language(node, path)
        if language.code in languages:
            raise LanguageError(
                path, node.start_mark.line + 1, "code", f"{language.code!r} is listed twice"
            )
        languages[language.code] = language
    return languages


LANGUAGES: dict[str, Language] = load_languages()


def get_language(code: str) -> Language:
    """The registered language for code, or UnknownLanguage naming the known codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise UnknownLanguage(code, list(LANGUAGES)) from None
