"""Offline speech recognition with faster-whisper, for languages that have no Vosk model.

Whisper transcribes freely and invents text in silence and noise, so three gates stand between
audio and an action:

1. Silero VAD (bundled with faster-whisper) decides per 100 ms block whether it holds speech, and
   ``speech.endpoint.UtteranceSegmenter`` turns those verdicts into utterances (0.3 s of speech
   starts one, 0.7 s of silence ends it, 15 s at most). Silence and noise never start one, so
   Whisper never sees them. Silero rather than an energy threshold: noise is as loud as speech
   (a pharmacy, a fan): Silero scored white noise at most 0.21 at every loudness tried, and
   espeak-ng speech mostly above 0.9 (measured), whereas any energy threshold that hears a quiet
   citizen also hears the fan. It costs about 1 ms a block.
2. The finished utterance is transcribed with ``vad_filter=True``: Silero runs again over the
   whole utterance with full context, crops the silence around the speech and drops the utterance
   if it finds none.
3. ``speech.matching.match_command`` accepts the transcript only when it is close to exactly one
   current command.

Decoding is steered toward the commands: the language is forced (detection fails on short and
synthetic speech), the commands are the ``initial_prompt``, and digit tokens are suppressed so
that "number three" is not written "number 3" (it was, without a prompt). Temperature fallback
is off: resampling an unsure decode at higher temperatures heard no more commands right when
measured, cost a second decode and wrote other text for the same audio.

``accept`` transcribes on the caller's thread when an utterance ends: 0.7-1 s on two cores
whatever its length (Whisper always encodes a 30 s window), so the listening thread, never the UI.
Accuracy and false actions measured on synthetic speech: tests/speech/test_whisper_engine.py.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import get_vad_model

from speech.endpoint import EndpointState, UtteranceSegmenter
from speech.matching import DEFAULT_CUTOFF, match_command
from speech.recognizer import SAMPLE_RATE, Closable, CommandSet, Heard, ModelError

log = logging.getLogger(__name__)

WHISPER_LANGUAGE = {"nb": "no", "nn": "no"}
"""Kiosk code -> Whisper's. Whisper also has "nn", but with far less training data than "no";
Nynorsk commands are close to Bokmål and fuzzy matching absorbs the spelling. (Not measured:
espeak-ng has no Nynorsk voice.)"""

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
"""What a CTranslate2 Whisper folder needs here. Without tokenizer.json faster-whisper would
fetch one from the Hugging Face hub, which the kiosk must never do."""

VAD_THRESHOLD = 0.5  # Silero's own default speech probability
_WINDOW = 512  # Silero scores 32 ms windows of 16 kHz audio
_CONTEXT_WINDOWS = 16  # ~0.5 s of history, so its recurrent state warms up before the new block
_PREROLL_S = 0.6  # audio kept before an utterance starts: the 0.3 s that started it, and more


class _SpeechBlocks:
    """Silero VAD's verdict for each new block, scored with the half second before it.

    faster-whisper's ``SileroVADModel`` starts from a fresh state on every call, so each call
    gets a rolling window of recent audio rather than the new block alone (~1 ms a block).
    """

    def __init__(self) -> None:
        self._model: Any = get_vad_model()
        self.reset()

    def reset(self) -> None:
        self._history = np.zeros(0, dtype=np.float32)

    def __call__(self, samples: np.ndarray) -> bool:
        self._history = np.concatenate([self._history, samples])[-_WINDOW * _CONTEXT_WINDOWS:]
        usable = len(self._history) // _WINDOW * _WINDOW
        if usable == 0:
            return False
        # A copy: the model writes zeros into the array it is given.
        probabilities = np.asarray(self._model(self._history[-usable:].copy())).reshape(-1)
        newest = probabilities[-math.ceil(len(samples) / _WINDOW):]
        return bool(newest.max() >= VAD_THRESHOLD)


def whisper_language(language: str) -> str:
    """Whisper's code for a kiosk (BCP 47) code: "nb" -> "no", "pt-BR" -> "pt"."""
    primary = language.split("-")[0].lower()
    return WHISPER_LANGUAGE.get(primary, primary)


def load_whisper(model_dir: Path) -> Any:
    """faster-whisper's model from a local folder only, or ModelError. int8 on the CPU: the
    kiosk has no GPU, and int8 is CTranslate2's smallest and fastest CPU type."""
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if not model_dir.is_dir() or missing:
        raise ModelError(f"There is no complete Whisper speech model at {model_dir}"
                         + (f" (missing {', '.join(missing)})." if model_dir.is_dir() else "."))
    try:
        # A folder path (never a model name) and local_files_only: nothing can be downloaded.
        return WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                            local_files_only=True)
    except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError for damaged files
        raise ModelError(f"The Whisper speech model in {model_dir} did not load: its files are "
                         "missing or damaged.") from exc


class WhisperRecognizer(Closable):
    """A ``speech.recognizer.Recognizer`` on a CTranslate2 Whisper folder, loaded by path only.

    Loading whisper-base takes 0.5-1.2 s and 250 MB (peak 380 MB while decoding, measured):
    make one per language and keep it. Nothing is ever downloaded.
    """

    def __init__(self, model_dir: Path, language: str, *, cutoff: float = DEFAULT_CUTOFF,
                 beam_size: int = 2) -> None:
        self.model_dir = model_dir
        self.cutoff = cutoff
        self.beam_size = beam_size
        self._language = language
        self._whisper_language = whisper_language(language)
        self._model: Any = load_whisper(model_dir)
        if self._whisper_language not in self._model.supported_languages:
            raise ModelError(f"The Whisper speech model in {model_dir} cannot recognise "
                             f"{language!r}.")
        self._digit_tokens = self._tokens_with_digits()
        self._speech = _SpeechBlocks()
        self._segmenter = UtteranceSegmenter()
        self._audio: list[np.ndarray] = []
        self._commands = CommandSet()

    @property
    def transcribes(self) -> bool:
        return True

    @property
    def language(self) -> str:
        return self._language

    @property
    def commands(self) -> CommandSet:
        return self._commands

    def unheard(self, phrases: Sequence[str]) -> tuple[str, ...]:
        # Whisper writes any word of a language it supports, and the language was checked
        # when the model loaded.
        return ()

    def set_commands(self, commands: Sequence[str], fillers: Sequence[str] = ()) -> None:
        self._check_open()
        self._commands = CommandSet.of(commands, fillers)
        # Speech already under way was said to the previous screen: never match it to this one.
        self.reset()

    def accept(self, block: bytes) -> Heard | None:
        self._check_open()
        if len(block) % 2:
            raise ValueError(f"a block of 16-bit samples has an even length, not {len(block)}")
        if not self._commands.commands:
            return None  # nothing to listen for: do not even run the VAD
        samples = np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0
        is_speech = self._speech(samples)
        self._audio.append(samples)
        state = self._segmenter.process(is_speech, len(samples) / SAMPLE_RATE)
        if state is EndpointState.WAITING:
            self._trim_preroll()
            if not is_speech:
                # Restart the segmenter's clock while nothing is said, so that its 15 s limit
                # bounds an utterance rather than the time spent waiting for one.
                self._segmenter.reset()
            return None
        if state is EndpointState.SPEAKING:
            return None
        audio, started = np.concatenate(self._audio), self._segmenter.started
        self.reset()
        return self._transcribe(audio) if started else None

    def reset(self) -> None:
        self._check_open()
        self._audio = []
        self._segmenter.reset()
        self._speech.reset()

    def close(self) -> None:
        # CTranslate2 frees the model when the last reference goes.
        if not self._closed:
            self._closed = True
            self._model = None
            self._audio = []

    def transcribe(self, audio: np.ndarray) -> str:
        """What Whisper writes for audio (float32, 16 kHz), steered toward the commands."""
        self._check_open()
        commands = self._commands.commands
        has_digits = any(ch.isdigit() for phrase in commands for ch in phrase)
        segments, _info = self._model.transcribe(
            audio,
            language=self._whisper_language,
            beam_size=self.beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=_prompt(commands),
            suppress_tokens=[-1] if has_digits else [-1, *self._digit_tokens],
            vad_filter=True,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()

    def _transcribe(self, audio: np.ndarray) -> Heard | None:
        text = self.transcribe(audio)
        if not text:
            return None  # Silero found no speech in the whole utterance after all
        command = match_command(text, self._commands.commands, cutoff=self.cutoff,
                                fillers=self._commands.fillers)
        log.debug("whisper heard %d characters; command: %s", len(text), command is not None)
        return Heard(text, command)

    def _trim_preroll(self) -> None:
        keep = math.ceil(_PREROLL_S * SAMPLE_RATE)
        while len(self._audio) > 1 and sum(map(len, self._audio[1:])) >= keep:
            self._audio.pop(0)

    def _tokens_with_digits(self) -> list[int]:
        """Ids of the ordinary text tokens that contain a digit (special tokens such as the
        timestamps "<|1.00|>" come after end-of-text and are left alone)."""
        tokenizer = self._model.hf_tokenizer
        end = tokenizer.token_to_id("<|endoftext|>")
        return sorted(i for token, i in tokenizer.get_vocab().items()
                      if i < end and any("0" <= ch <= "9" for ch in token))



PROMPT_PHRASES = 24
"""At most this many commands steer the decoder: a long prompt, above all one full of numbers
(a list of times), makes Whisper echo it back ("1, 2, 3, 2, 1") instead of hearing."""


def _prompt(commands: Sequence[str]) -> str | None:
    """The commands Whisper is steered toward: words only, the first PROMPT_PHRASES of them."""
    worded = [c for c in commands if not any(ch.isdigit() for ch in c)][:PROMPT_PHRASES]
    return ", ".join(worded) + "." if worded else None
