"""Draft a catalog's missing entries by machine translation from the English msgids, for a
translator to check: `kiosk translations draft LANG`.

Every filled entry is marked fuzzy. The kiosk leaves fuzzy entries out when it compiles a catalog
(Babel's ``write_mo`` skips them), so a citizen keeps seeing the English text until a fluent
speaker has checked the draft and removed the flag; ``python -m translations.extract --check``
lists each one as "marked fuzzy" until then. An entry whose translation lost or changed a
``{placeholder}`` is not filled, nor are plural entries and date patterns, which no engine can
write: each is reported with why.

The file is edited line by line, never rewritten by Babel (which would reflow it and drop
header fields such as X-Review-Status), and replaced in one step.
"""

from __future__ import annotations

import os
import string
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import escape, read_po

from translations.catalog import DATE_PATTERN, DAY_PATTERN, TIME_PATTERN, WHEN_PATTERN
from translations.extract import Msgid
from translations.mt import MachineTranslator

SOURCE = "en"
"""Msgids are English sentences."""

DATE_PATTERNS = frozenset({WHEN_PATTERN, DATE_PATTERN, TIME_PATTERN, DAY_PATTERN})


@dataclass
class Draft:
    """What a draft did: the msgids filled, and the msgids skipped with why."""

    filled: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    """The catalog with the drafts, as written."""


def _fields(text: str) -> list[str] | None:
    """The replacement fields of a text ("{name:spec}"), sorted; None when it is malformed."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    return sorted(f"{name}!{conv}:{spec}" for _, name, spec, conv in parsed if name is not None)


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _msgstr_line(lines: list[str], msgid_line: int) -> int:
    """The index of the msgstr line of the entry whose msgid starts at msgid_line (0-based)."""
    index = msgid_line + 1
    while not lines[index].startswith("msgstr"):
        index += 1
    return index


def _mark_fuzzy(lines: list[str], msgid_line: int) -> None:
    """Add the fuzzy flag to the entry's "#," line, or a new one just above its msgid."""
    index = msgid_line - 1
    while index >= 0 and lines[index].startswith("#"):
        if lines[index].startswith("#,"):
            lines[index] = lines[index].rstrip("\n") + ", fuzzy\n"
            return
        index -= 1
    lines.insert(msgid_line, "#, fuzzy\n")


def _why_not(msgid: str, text: str | None) -> str | None:
    if text is None:
        return "the engine failed"
    if not text.strip():
        return "the engine gave no text"
    wanted, got = _fields(msgid), _fields(text)
    if got is None:
        return "the translation has a stray { or }"
    if got != wanted:
        return "the translation lost or changed a {placeholder}"
    return None


def draft_catalog(path: Path, lang: str, translator: MachineTranslator,
                  used: Iterable[Msgid]) -> Draft:
    """The catalog at path with its empty entries, and the msgids in used it lacks, filled by
    machine translation from English and marked fuzzy (the file itself is not written)."""
    catalog = _read(path, lang)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    empty = {m.id: (m.lineno or 0) - 1 for m in catalog
             if isinstance(m.id, str) and m.id and not m.string and not m.fuzzy}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    plurals = [m.id[0] for m in catalog if isinstance(m.id, tuple | list) and m.id
               and not all(m.string or ())]
    used = list(used)
    plurals += sorted({m[0] for m in used if not isinstance(m, str)} - known)
    absent = sorted({m for m in used if isinstance(m, str)} - known)
    draft = Draft(skipped=[(msgid, "plural forms: a translator writes each one")
                           for msgid in plurals])
    translated: dict[str, str] = {}
    for msgid in sorted(empty) + absent:
        if msgid in DATE_PATTERNS:
            draft.skipped.append((msgid, "a date pattern, not text"))
            continue
        result = translator.translate(msgid, SOURCE, lang)
        text = None if result.failed else result.text
        reason = _why_not(msgid, text)
        if reason is not None:
            draft.skipped.append((msgid, reason))
            continue
        assert text is not None
        translated[msgid] = text
        draft.filled.append(msgid)
    # From the end of the file backwards, so the line numbers above stay right.
    for msgid, start in sorted(((m, empty[m]) for m in translated if m in empty),
                               key=lambda item: -item[1]):
        index = _msgstr_line(lines, start)
        if lines[index].strip() != 'msgstr ""' or (
                index + 1 < len(lines) and lines[index + 1].startswith('"')):
            draft.filled.remove(msgid)
            draft.skipped.append((msgid, "its msgstr is not one empty line"))
            continue
        lines[index] = f"msgstr {escape(translated[msgid])}\n"
        _mark_fuzzy(lines, start)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for msgid in (m for m in absent if m in translated):
        lines += ["\n", "#, fuzzy\n", f"msgid {escape(msgid)}\n",
                  f"msgstr {escape(translated[msgid])}\n"]
    draft.text = "".join(lines)
    _check(draft.text, lang, translated)
    return draft


def _check(text: str, lang: str, translated: dict[str, str]) -> None:
    """The drafted file reads back as meant: each filled entry holds its translation and is
    fuzzy (an edit that went astray is not written)."""
    catalog = read_po(BytesIO(text.encode("utf-8")), locale=lang)
    for msgid, wanted in translated.items():
        message = catalog.get(msgid)
        if message is None or message.string != wanted or not message.fuzzy:
            raise ValueError(f"drafting {msgid!r} would not give a fuzzy entry; nothing written")


def write_atomically(path: Path, text: str) -> None:
    """Replace path's content in one step (a crash leaves the old file or the new, whole)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, path.stat().st_mode & 0o777)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
