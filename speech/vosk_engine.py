"""Offline speech recognition with Vosk (Kaldi), listening only for the current screen's phrases.

One ``KaldiRecognizer`` is made per model and reused: ``set_commands`` swaps its grammar (the
commands plus filler words) whenever the screen changes, in about 0.3 ms here, whereas a fresh
recognizer per utterance decodes four times slower. Vosk finds the end of an utterance itself
(0.5-1 s of silence after words, 2 s after sounds that made none; the model's conf/model.conf),
so ``accept`` feeds each block (~2.5 ms of CPU per 100 ms block) and reports what Vosk ends.

Facts about vosk 0.3.45 this module is written around (measured; see tests/speech):

- ``SetGrammar`` on a recognizer that is part-way through an utterance aborts the whole
  process (a KaldiFatalError escapes the C library), so every grammar change resets first.
- ``SetGrammar`` reads JSON without ``\\u`` escapes: a grammar written with ``ensure_ascii``
  silently loses every non-ASCII word. Phrases are passed as UTF-8 text.
- ``SetGrammar("[]")`` switches to the full vocabulary instead of to "listen for nothing".
  With nothing to listen for the recognizer is not fed at all.
- A word missing from the model's vocabulary is dropped from the grammar with only a log line.
  Such a word is spelled with the vocabulary's own pieces where it can be (the small Korean
  model knows "백" and "사십" but not "백사십", and says "백 사십"); commands that cannot be
  spelled are left out and listed in ``unknown_commands`` so the kiosk can say so.
- Results come only from Vosk's own endpointing, never from ``FinalResult``: flushing 1 s of
  white noise (±3000) with it gave a command in 8 of 10 clips without fillers and 1 of 10 with
  them, where streamed blocks gave none; a Listener window that lapses resets instead.
- Models with an "[unk]" word get it added to the grammar (it absorbs out-of-grammar speech;
  untested: the only model at hand, the small Korean one, has none, hence filler words).
- Models whose graph is static (graph/HCLG.fst, the large server models) ignore grammars and
  decode their full vocabulary (per vosk's source); ``CommandSet.heard`` still matches exactly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# vosk 0.3.45 has no stubs and no py.typed; mypy 2 reads it as untyped code (no ignore needed).
# Its objects are kept as Any and used only inside this class.
import vosk

from speech.recognizer import SAMPLE_RATE, Closable, CommandSet, Heard, ModelError, normalise

log = logging.getLogger(__name__)

UNKNOWN_WORD = "[unk]"

# Kaldi writes its log (warnings at -1, errors at -2) straight to file descriptor 2, which is the
# Textual screen while the kiosk runs. Every failure reaches us as an exception anyway and is
# turned into a ModelError with a plain sentence, so the C library's own lines are silenced.
_QUIET = -3


class VoskRecognizer(Closable):
    """A ``speech.recognizer.Recognizer`` on a Vosk model folder, loaded by path only.

    Construction takes seconds and hundreds of MB (the small Korean model: 1-4 s, ~530 MB RSS):
    make one per language and keep it. Nothing is ever downloaded.
    """

    def __init__(self, model_dir: Path, language: str) -> None:
        self.model_dir = model_dir
        self._language = language
        if not model_dir.is_dir():
            raise ModelError(f"There is no speech model folder at {model_dir}.")
        vosk.SetLogLevel(_QUIET)
        try:
            self._model: Any = vosk.Model(str(model_dir))
            self._recognizer: Any = vosk.KaldiRecognizer(self._model, float(SAMPLE_RATE))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelError(
                f"The Vosk speech model in {model_dir} did not load: "
                "its files are missing or damaged.") from exc
        self._has_unknown_word = self.knows(UNKNOWN_WORD)
        self._commands = CommandSet()
        self._unknown_commands: tuple[str, ...] = ()
        self._spellings: dict[str, str] = {}

    @property
    def transcribes(self) -> bool:
        return False  # grammar mode writes only the phrases it was given

    @property
    def language(self) -> str:
        return self._language

    @property
    def commands(self) -> CommandSet:
        """What the recognizer listens for now: only phrases the model can hear."""
        return self._commands

    @property
    def unknown_commands(self) -> tuple[str, ...]:
        """Commands from the last ``set_commands`` that this model cannot hear (a word of theirs
        is not in its vocabulary); they are not listened for. Show them as "say it or press it
        on the screen" rather than waiting for them."""
        return self._unknown_commands

    def knows(self, phrase: str) -> bool:
        """Whether every word of phrase is in the model's vocabulary (a lookup, no decoding)."""
        self._check_open()
        words = phrase.split()
        return bool(words) and all(self._model.vosk_model_find_word(w) >= 0 for w in words)

    def unheard(self, phrases: Sequence[str]) -> tuple[str, ...]:
        return tuple(p for p in CommandSet.of(phrases).commands if self.spelled(p) is None)

    def spelled(self, phrase: str) -> str | None:
        """phrase in words of the model's vocabulary: known words as they are, an unknown word
        as the fewest known pieces that make it up; None when some word cannot be made up."""
        self._check_open()
        spelled = [self._pieces(word) for word in phrase.split()]
        if not spelled or any(pieces is None for pieces in spelled):
            return None
        return " ".join(" ".join(pieces) for pieces in spelled if pieces is not None)

    def _pieces(self, word: str) -> list[str] | None:
        if self._model.vosk_model_find_word(word) >= 0:
            return [word]
        # fewest[i]: the shortest split of word[:i] into known words (a word is short, so the
        # quadratic search is a few hundred lookups at most).
        fewest: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(1, len(word) + 1):
            for start in range(end):
                head, piece = fewest[start], word[start:end]
                if head is None or self._model.vosk_model_find_word(piece) < 0:
                    continue
                if fewest[end] is None or len(head) + 1 < len(fewest[end] or ()):
                    fewest[end] = [*head, piece]
        return fewest[-1]

    def set_commands(self, commands: Sequence[str], fillers: Sequence[str] = ()) -> None:
        self._check_open()
        wanted = CommandSet.of(commands, fillers)
        spellings = {c: self.spelled(c) for c in wanted.commands}
        by_spelling: dict[str, set[str]] = {}
        for command, spelling in spellings.items():
            if spelling is not None:
                by_spelling.setdefault(spelling, set()).add(command)
        # Two commands that sound the same in this model's words cannot be told apart.
        self._spellings = {s: next(iter(c)) for s, c in by_spelling.items() if len(c) == 1}
        self._commands = CommandSet(
            tuple(c for c in wanted.commands if c in self._spellings.values()),
            tuple(f for f in wanted.fillers if self.knows(f) and f not in self._spellings),
        )
        heard = self._commands.commands
        self._unknown_commands = tuple(c for c in wanted.commands if c not in heard)
        if self._unknown_commands:
            log.info("%d command(s) not in the %s model's vocabulary", len(self._unknown_commands),
                     self._language)
        # Reset first: SetGrammar during an utterance aborts the process (see the module notes).
        self._recognizer.Reset()
        if self._spellings:
            phrases = [*dict.fromkeys([*self._spellings, *self._commands.fillers]),
                       *([UNKNOWN_WORD] if self._has_unknown_word else [])]
            self._recognizer.SetGrammar(json.dumps(phrases, ensure_ascii=False))

    def accept(self, block: bytes) -> Heard | None:
        self._check_open()
        if len(block) % 2:
            raise ValueError(f"a block of 16-bit samples has an even length, not {len(block)}")
        # Nothing to listen for: feeding Vosk would only decode into the void (or, before the
        # first grammar, the full vocabulary, eight times slower).
        if not self._commands.commands:
            return None
        if not self._recognizer.AcceptWaveform(block):
            return None
        text = str(json.loads(self._recognizer.Result()).get("text", ""))
        # Vosk also ends "utterances" of pure silence, with empty text: not something heard.
        if not text.strip():
            return None
        return Heard(text.strip(), self._spellings.get(normalise(text)))

    def reset(self) -> None:
        self._check_open()
        self._recognizer.Reset()

    def close(self) -> None:
        # vosk frees the C objects when the Python wrappers are collected; the recognizer holds
        # the model, so it goes first.
        if not self._closed:
            self._closed = True
            self._recognizer = None
            self._model = None

