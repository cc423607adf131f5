"""Text to speech into WAV files: a recording, a Piper voice, or pyttsx3 on espeak-ng.

Which one speaks a text is decided in one place (speech/voices.py): a human recording of
exactly that text, else the language's Piper voice, else espeak-ng (the system's, or the newer
data bundled with piper-tts for Tigrinya), else a neighbour's voice (nn -> nb).

pyttsx3 is not thread-safe, ``pyttsx3.init()`` hands every caller the same engine, and its
callbacks run on espeak's own thread (calling ``runAndWait()`` from one hangs). So every pyttsx3
call goes through a single worker thread owned by the ``Synthesizer``; ``synthesize()`` queues a
job there and blocks its caller (the Voice worker, never the UI) until the WAV is written.
Audio is never played by pyttsx3: its ``say()`` shells out to aplay, which writes to the terminal
and cannot be stopped or routed. We write files and hand them to our own audio output.
"""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

import pyttsx3
import pyttsx3.drivers.espeak as espeak_driver
from pyttsx3.drivers import _espeak

from speech import espeak_data
from speech.piper_voices import PiperSpeaker, VoiceError, list_voices
from speech.voices import Engine, describe, route
from translations.recordings import Recordings

log = logging.getLogger(__name__)
T = TypeVar("T")
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]

DEFAULT_RATE = 160
"""Words per minute; espeak's own default (175-200) is too fast for many citizens."""

# pyttsx3 shares one engine per process, and espeak keeps one synthesis callback: two
# Synthesizers (tests, a restarted UI) must take turns even though each has its own thread.
_ENGINE_LOCK = threading.Lock()


def _driver_print(*args: object, **_kwargs: object) -> None:
    log.debug("espeak driver: %s", " ".join(str(arg) for arg in args))


# The espeak driver announces every saved file with a bare print() ("Audio saved to ...").
# Inside the full-screen kiosk that line would land on the Textual screen. Redirecting
# sys.stdout cannot be done safely from our thread: Textual owns it while running, and a
# redirect is process-wide and races with every other thread. Giving the driver module its own
# `print` name is scoped to that one module, is permanent (no window for a race), and turns its
# chatter into debug log lines; tests/speech check that nothing reaches stdout. pyttsx3 is
# pinned, so the driver's use of print() is a known quantity.
espeak_driver.print = _driver_print


class NoVoice(LookupError):
    """No espeak-ng voice for a language: speech in it is impossible, captions still work."""

    def __init__(self, lang: str, detail: str = "") -> None:
        self.lang = lang
        message = f"no speech voice for language {lang!r}"
        super().__init__(f"{message}: {detail}" if detail else message)


class SynthError(RuntimeError):
    """espeak-ng could not start or did not finish an utterance in time."""


def registry_voice(lang: str) -> str | None:
    """The espeak-ng voice named for lang in translations/languages.yaml (None: it names none)."""
    from translations.languages import get_language

    return get_language(lang).espeak_voice


def _voice_names(voice: Any) -> set[str]:
    """Names a voice answers to: its id ("gmq/nb"), the id's last part ("nb"), its languages."""
    return {voice.id, voice.id.rsplit("/", 1)[-1], *(voice.languages or [])}


class Synthesizer:
    """Turns text into WAV files in a private temporary directory (mode 0700).

    ``voice_for`` maps a language code to an espeak-ng voice name; by default the language
    registry's ``espeak_voice``. ``voices_dir`` holds installed Piper voices (read once, here:
    restart after adding one); ``recordings`` the recorded clips, played for exactly their text.
    """

    def __init__(
        self,
        voice_for: Callable[[str], str | None] = registry_voice,
        *,
        timeout_s: float = 30.0,
        voices_dir: Path | None = None,
        recordings: Recordings | None = None,
    ) -> None:
        self._voice_for = voice_for
        self._timeout_s = timeout_s
        self.recordings = recordings
        self._piper_models = {v.language: v.path for v in list_voices(voices_dir)
                              } if voices_dir is not None else {}
        self._piper: dict[str, PiperSpeaker] = {}
        self._piper_lock = threading.Lock()
        self.directory = Path(tempfile.mkdtemp(prefix="helselos-speech-"))
        self._numbers = count(1)
        self._engine: Any = None
        self._voices: dict[str, str] = {}
        self._stuck = False
        self._closed = False
        self._finished = threading.Event()
        self._completed = False
        self._listener: Any = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        # The only thread that touches pyttsx3. A daemon, so an espeak call that never returns
        # cannot keep the process alive at exit.
        self._thread = threading.Thread(target=self._work, name="speech-synth", daemon=True)
        self._thread.start()
        try:
            self._run(self._start_engine)
        except BaseException:
            self.close()
            raise

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as exc:
                future.set_exception(exc)

    def _run(self, function: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise SynthError("the synthesizer is closed")
        future: Future[T] = Future()
        self._jobs.put((future, function, args))
        try:
            return future.result(timeout=self._timeout_s)
        except FutureTimeout as exc:
            self._stuck = True
            raise SynthError(f"espeak-ng did not answer within {self._timeout_s} s") from exc

    def _start_engine(self) -> None:
        with _ENGINE_LOCK:
            try:
                self._engine = pyttsx3.init("espeak")
            except (OSError, RuntimeError) as exc:
                raise SynthError(f"espeak-ng could not start: {exc}") from exc
            self._listener = self._engine.connect("finished-utterance", self._on_finished)
            for voice in self._engine.getProperty("voices"):
                for name in _voice_names(voice):
                    self._voices.setdefault(name, voice.id)
            # The first runAndWait of a fresh engine runs its queued commands inside the loop:
            # it returns before espeak has finished, and its endLoop may leave a stop request
            # behind that cancels the next utterance. Two throwaway utterances put the engine
            # in its steady state, where each runAndWait waits for its own utterance.
            warm_up = self.directory / "warm-up.wav"
            for _ in range(2):
                self._finished.clear()
                _espeak.Synchronize()
                self._engine.save_to_file(".", str(warm_up))
                self._engine.runAndWait()
                if not self._finished.wait(self._timeout_s):
                    raise SynthError("espeak-ng did not finish its first utterance")
            warm_up.unlink(missing_ok=True)

    def _on_finished(self, name: object = None, completed: bool = False) -> None:
        # Runs on espeak's own thread: only hand the news over, never call pyttsx3 here.
        self._completed = completed
        self._finished.set()

    def voices(self) -> set[str]:
        """Every name usable as ``espeak_voice``: voice ids, their short names and languages."""
        return set(self._voices)

    def voice_id(self, lang: str) -> str:
        """The espeak-ng voice id for a language code, or NoVoice."""
        try:
            name = self._voice_for(lang)
        except LookupError as exc:
            raise NoVoice(lang, str(exc)) from exc
        # espeak silently keeps the previous voice when given a name it does not know.
        if name not in self._voices:
            raise NoVoice(lang, f"espeak-ng has no voice {name!r}")
        return self._voices[name]

    def _name(self, lang: str) -> str | None:
        try:
            return self._voice_for(lang)
        except LookupError:
            return None

    def route(self, lang: str) -> tuple[Engine, str] | None:
        """(engine, whose voice) that speaks lang, or None: see speech.voices.route."""
        return route(lang, piper=self._piper_models, espeak=self._voices,
                     extra=espeak_data.extra_voices(), name_for=self._name)

    def has_voice(self, lang: str) -> bool:
        """Whether a voice speaks any text in lang (recordings cover only some texts)."""
        return self.route(lang) is not None

    def kind(self, lang: str) -> str | None:
        """What speaks lang, in the shape of speech.voices.voice_for ("piper", "espeak",
        "neighbour:nb", "recorded" or None)."""
        recorded = self.recordings.count(lang) if self.recordings is not None else 0
        return describe(lang, self.route(lang), recorded)

    def synthesize(self, text: str, lang: str, rate: int = DEFAULT_RATE) -> Path:
        """Speak text into a new 16-bit WAV file and return its path (the caller deletes it)."""
        if not text.strip():
            raise ValueError("there is no text to speak")
        if not 40 <= rate <= 400:
            raise ValueError(f"speech rate {rate} is outside 40-400 words per minute")
        target = self.directory / f"{next(self._numbers):04d}.wav"
        recorded = self.recordings.find(text, lang) if self.recordings is not None else None
        if recorded is not None:
            # A copy: the caller deletes what it is given, and the recording must stay.
            shutil.copyfile(recorded, target)
            return target
        chosen = self.route(lang)
        if chosen is None:
            name = self._name(lang)
            espeak = f"espeak-ng has no voice {name!r}" if name else "no espeak-ng voice named"
            raise NoVoice(lang, f"{espeak}, and no Piper voice, neighbour or recording")
        engine, code = chosen
        if engine == "piper":
            self._speak_piper(text, code, rate, target)
        elif engine == "espeak-data":
            self._speak_bundled(text, code, rate, target)
        else:
            self._run(self._synthesize, text, self.voice_id(code), rate, target)
        return target

    def _speak_piper(self, text: str, lang: str, rate: int, target: Path) -> None:
        try:
            with self._piper_lock:
                if lang not in self._piper:  # loaded at first use: 0.5 s and ~100 MB each
                    self._piper[lang] = PiperSpeaker(self._piper_models[lang])
            self._piper[lang].speak(text, target, rate)
        except VoiceError as exc:
            raise SynthError(str(exc)) from exc
        except Exception as exc:  # onnxruntime raises its own kinds; all mean "no audio"
            raise SynthError(f"the Piper voice for {lang!r} failed: {exc}") from exc

    def _speak_bundled(self, text: str, lang: str, rate: int, target: Path) -> None:
        try:
            espeak_data.speak(text, self._name(lang) or lang, rate, target)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SynthError(f"espeak-ng with the bundled data failed: {exc}") from exc

    def _synthesize(self, text: str, voice: str, rate: int, target: Path) -> None:
        with _ENGINE_LOCK:
            # pyttsx3's runAndWait begins with a stop that cancels whatever espeak still has
            # queued (our new rate, the tail of the last utterance) and can leave a stop request
            # that cancels the utterance itself. Waiting for espeak to be idle first avoids
            # most of it; one retry covers the rest.
            for _ in range(2):
                self._engine.setProperty("voice", voice)
                self._engine.setProperty("rate", rate)
                _espeak.Synchronize()
                self._finished.clear()
                # One utterance per runAndWait: pyttsx3 produces only the last one queued.
                self._engine.save_to_file(text, str(target))
                self._engine.runAndWait()
                if not self._finished.wait(self._timeout_s):
                    raise SynthError("espeak-ng did not finish an utterance in time")
                if self._completed and target.is_file():
                    return
        raise SynthError(f"espeak-ng wrote no audio for a {len(text)}-character text")

    def clear(self) -> None:
        """Delete every WAV written so far: spoken text may be personal."""
        for path in self.directory.glob("*.wav"):
            path.unlink(missing_ok=True)

    def _release_engine(self) -> None:
        # Dropping the last reference tears the driver down, which calls into espeak: do it here.
        with _ENGINE_LOCK:
            if self._listener is not None:
                self._engine.disconnect(self._listener)
            self._engine = None

    def close(self) -> None:
        """Stop the worker thread and delete the temporary directory."""
        if not self._closed:
            self._closed = True
            self._jobs.put((Future(), self._release_engine, ()))
            self._jobs.put(None)
            # A thread stuck inside espeak cannot be joined; leave it rather than hang the kiosk.
            if not self._stuck:
                self._thread.join()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Synthesizer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
