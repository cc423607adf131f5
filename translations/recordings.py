"""Recorded audio: human recordings of catalog texts, for languages no voice speaks well or at all.

A municipality records the kiosk's texts in a language (Somali, Northern Sami, …) and drops the
WAV files into the recordings folder (setting ``recordings_dir``, default ``translations/audio``
beside this file). Layout::

    <recordings_dir>/<language>/<key>.wav    16-bit PCM WAV, mono or stereo, any sample rate

where ``<key>`` is ``recording_key(msgid)``: the first 16 hex digits of the SHA-256 of the
catalog's English msgid (UTF-8). Named by the msgid, not the translation, so a corrected
translation keeps its file name; ``kiosk translations audio-missing LANG`` lists each text still
to record with the file name to record it into. A clip is played only for a text that is exactly
that msgid's translation: a sentence with a name or a time filled in has no recording.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from translations.catalog import (
    DATE_PATTERN,
    DAY_PATTERN,
    TIME_PATTERN,
    WHEN_PATTERN,
    load_catalog,
)

DEFAULT_DIR = Path(__file__).with_name("audio")
_PATTERNS = frozenset((WHEN_PATTERN, DATE_PATTERN, TIME_PATTERN, DAY_PATTERN))
"""Catalog entries that are date formats for Babel, never said as they are."""


@dataclass(frozen=True)
class Recordable:
    """One catalog text: what to say, and where its recording goes."""

    msgid: str
    text: str
    """The translation to read aloud."""
    file_name: str


def recording_key(msgid: str) -> str:
    """The file stem a recording of msgid is stored under."""
    return hashlib.sha256(msgid.encode("utf-8")).hexdigest()[:16]


@cache
def recordable(lang: str) -> tuple[Recordable, ...]:
    """Every text of lang's catalog that can be recorded, in catalog order.

    Entries with plural forms or placeholders are left out: what is said depends on the values
    filled in, so no one recording fits; so are date formats. An empty msgstr is the English
    text itself.
    """
    found = []
    for message in load_catalog(lang):
        msgid = message.id
        if not isinstance(msgid, str) or not msgid or msgid in _PATTERNS or message.fuzzy:
            continue
        text = message.string if isinstance(message.string, str) and message.string else msgid
        if "{" in text:
            continue
        found.append(Recordable(msgid, text, f"{recording_key(msgid)}.wav"))
    return tuple(found)


@cache
def _by_text(lang: str) -> dict[str, Recordable]:
    return {entry.text: entry for entry in recordable(lang)}


class Recordings:
    """The recorded clips in one folder."""

    def __init__(self, directory: Path = DEFAULT_DIR) -> None:
        self.directory = directory

    def find(self, text: str, lang: str) -> Path | None:
        """The recording of text in lang, when text is exactly a recorded catalog translation."""
        try:
            entry = _by_text(lang).get(text.strip())
        except LookupError:  # a language the kiosk does not offer has no catalog
            return None
        if entry is None:
            return None
        path = self.directory / lang / entry.file_name
        return path if path.is_file() else None

    def count(self, lang: str) -> int:
        """How many of lang's catalog texts have a recording."""
        folder = self.directory / lang
        if not folder.is_dir():
            return 0
        try:
            return sum((folder / entry.file_name).is_file() for entry in recordable(lang))
        except LookupError:
            return 0

    def missing(self, lang: str) -> list[Recordable]:
        """lang's catalog texts that have no recording yet (UnknownLanguage for an unknown lang)."""
        folder = self.directory / lang
        return [entry for entry in recordable(lang) if not (folder / entry.file_name).is_file()]
