"""The speech recognizer interface: 100 ms blocks of audio in, a ``Heard`` out.

Both offline engines implement ``Recognizer`` (Vosk in speech/vosk_engine.py, faster-whisper in
speech/whisper_engine.py), so the kiosk listens the same way whichever model a language has.
The caller (kiosk.voice_grammar) says which phrases the current screen accepts; the engine says
what it heard and, only when that is exactly one of those phrases, which command it was.

Rejecting what was not a command matters more than hearing every command: a cough that turns
into "cancel appointment" is worse than having to repeat "yes". Hence:

- ``Heard.command`` is set only for an exact match after ``normalise`` (engines may be more
  lenient in how they get there, e.g. Whisper's fuzzy matching, but never act on a partial).
- Filler words: common words of the language that are no command on any screen. A grammar-bound
  engine (Vosk) without an "unknown" word forces every sound onto some grammar phrase; with
  fillers in the grammar, noise and chatter have somewhere else to go. A filler is never a
  command, and a filler that equals a command is dropped (the command wins).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

SAMPLE_RATE = 16_000
"""Every engine takes 16 kHz mono signed 16-bit little-endian PCM."""
BLOCK_SAMPLES = 1_600
"""100 ms: the block size microphones and test WAV readers hand to ``Recognizer.accept``."""
BLOCK_BYTES = BLOCK_SAMPLES * 2

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
_SPACES = re.compile(r"\s+")
_LONE_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")


class ModelError(Exception):
    """A speech model is missing, damaged or unusable; str() is a plain sentence naming it."""


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def normalise(text: str) -> str:
    """Text as commands are compared: NFKC, lower-case, punctuation gone, single spaces.

    Punctuation becomes a space ("e-post" and "e post" compare equal, "Ja." is "ja"), except an
    apostrophe inside a word, which stays as "'" ("don't"): models spell such words with one.
    Both sides of every comparison go through this function, so the rule only has to be
    consistent, not linguistically perfect.
    """
    text = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    text = "".join(" " if char != "'" and _is_punctuation(char) else char for char in text)
    text = _LONE_APOSTROPHE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Heard:
    """One finished utterance."""

    text: str
    """What the engine transcribed, as it wrote it (Vosk: "[unk]" for an unknown word, if the
    model has one); may be a filler, or several phrases in a row."""
    command: str | None
    """The command phrase (as given to ``set_commands``) when ``text`` is exactly one; else None:
    the caller must not act on anything else."""


@dataclass(frozen=True)
class CommandSet:
    """The phrases a screen accepts and the fillers that soak up everything else, normalised."""

    commands: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()

    @classmethod
    def of(cls, commands: Iterable[str], fillers: Iterable[str] = ()) -> CommandSet:
        """Normalise both lists, drop empty and repeated phrases and fillers that are commands."""
        kept = tuple(dict.fromkeys(p for p in map(normalise, commands) if p))
        spare = tuple(dict.fromkeys(f for f in map(normalise, fillers) if f and f not in kept))
        return cls(kept, spare)

    @property
    def phrases(self) -> tuple[str, ...]:
        """Everything a grammar-bound engine should listen for: commands, then fillers."""
        return self.commands + self.fillers

    def heard(self, text: str) -> Heard:
        """The ``Heard`` for a transcript: a command only on an exact match."""
        said = normalise(text)
        return Heard(text.strip(), said if said in self.commands else None)


class Recognizer(Protocol):
    """An offline speech recognizer for one language, fed the microphone's blocks.

    Used from one thread (the listening worker); not safe to share between threads.
    """

    @property
    def language(self) -> str:
        """The BCP 47 code of the language the model recognises."""
        ...

    @property
    def transcribes(self) -> bool:
        """True when ``Heard.text`` is what was said, whatever it was (free dictation, e.g. a
        message); False when the engine only ever writes phrases it listens for (a grammar)."""
        ...

    def set_commands(self, commands: Sequence[str], fillers: Sequence[str] = ()) -> None:
        """Listen for these phrases from now on (the current screen's), with these fillers.

        Callers pass them normalised; engines normalise again (``CommandSet.of``), so a stray
        capital cannot make a command unreachable. Takes effect at the next utterance.
        """
        ...

    def accept(self, block: bytes) -> Heard | None:
        """Feed one block (100 ms of 16 kHz mono int16 PCM); a ``Heard`` when an utterance has
        just ended, else None. Silence alone never produces a ``Heard``."""
        ...

    def unheard(self, phrases: Sequence[str]) -> tuple[str, ...]:
        """Those of phrases (normalised) that this model could never hear, whatever the
        screen: words outside its vocabulary. Most of a language's everyday words unheard
        means the model is for another language."""
        ...

    def reset(self) -> None:
        """Forget the utterance in progress (e.g. the kiosk started speaking)."""
        ...

    def close(self) -> None:
        """Free the model; the recognizer cannot be used afterwards. Safe to call twice."""
        ...


class Closable:
    """What both engines share about their end: ``close()`` once, no use after it, and a
    ``with`` block that closes."""

    _closed = False

    def close(self) -> None:
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this speech recognizer has been closed")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
