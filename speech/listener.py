"""Listening: one audio source, one recognizer per language, the current screen's commands.

A thread of its own reads 100 ms blocks from the source and feeds them to the recognizer of the
screen's language; what it heard goes to ``on_heard`` (called from that thread: the app posts
it to its own loop). Models load on a second thread when their language is first wanted, so
neither the first screen nor the audio waits for a model; ``listens(lang)`` says whether the
kiosk can listen in a language right now, which is what the screen may promise.

Two modes: ``always`` feeds every block; ``push`` feeds blocks only after ``talk()`` (the Talk
key or button), until something is heard or the window ends. Windows and time-outs are counted
in blocks, not wall-clock time, so a recording plays out the same way every time. What is heard
stays in memory only as long as the recognizer needs it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Literal

from hardware.microphone import BLOCK_SECONDS, AudioInputError, AudioSource
from speech.recognizer import Heard, ModelError, Recognizer

log = logging.getLogger(__name__)

Mode = Literal["push", "always"]
WINDOW_S = 15.0
"""How long a push-to-talk window stays open without anything heard (as Home Assistant's
segmenter times out)."""


class Listener:
    """Feeds the source's audio to the recognizer of the current language."""

    def __init__(
        self,
        open_source: Callable[[], AudioSource],
        load: Callable[[str], Recognizer | None],
        *,
        mode: Mode = "push",
        on_heard: Callable[[Heard], None] | None = None,
        on_state: Callable[[str], None] | None = None,
        has_model: Callable[[str], bool] | None = None,
    ) -> None:
        self._open_source = open_source
        self._load = load
        self._has_model = has_model
        self.mode: Mode = mode
        self.on_heard = on_heard
        self.on_state = on_state
        self.problem: str | None = None
        """Why the kiosk cannot listen at all (no microphone), for staff and the doctor."""
        self._lock = threading.Lock()
        self._recognizers: dict[str, Recognizer | None] = {}
        """Language -> its recognizer; None once loading found no usable model."""
        self._loading: set[str] = set()
        self._installed: dict[str, bool] = {}
        self._lang = ""
        self._commands: tuple[str, ...] = ()
        self._fillers: tuple[str, ...] = ()
        self._applied: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        """What each recognizer was last told to listen for: a recognizer is used from the
        listening thread only, so new commands reach it there, before its next block."""
        self._window = 0
        """Blocks left in the push-to-talk window."""
        self._deaf = 0
        """Blocks at the window's start that are not fed (the listening sound plays)."""
        self._closed = threading.Event()
        self._source: AudioSource | None = None
        self._thread = threading.Thread(target=self._listen, name="listener", daemon=True)
        self._thread.start()

    # -- what the app asks ------------------------------------------------------------------

    def listens(self, lang: str) -> bool:
        """A model for lang is loaded and audio comes in: the screen may say "you can say"."""
        with self._lock:
            return self.problem is None and self._recognizers.get(lang) is not None

    def can_dictate(self, lang: str) -> bool:
        """lang's recognizer writes down whatever is said (a message), not only commands."""
        with self._lock:
            recognizer = self._recognizers.get(lang)
        return self.listens(lang) and recognizer is not None and recognizer.transcribes

    def can_listen(self, lang: str) -> bool:
        """A model for lang is installed and audio comes in, loaded or not yet (what the
        language screen may promise)."""
        if self.problem is not None:
            return False
        with self._lock:
            if lang in self._recognizers:
                return self._recognizers[lang] is not None
            if lang not in self._installed:
                # Asked on every key press of the language screen: the models folder is read
                # once per language (models are added with the kiosk stopped).
                self._installed[lang] = self._has_model is not None and self._has_model(lang)
            return self._installed[lang]

    def prepare(self, lang: str) -> None:
        """Load lang's model in the background, if it has one and it is not loaded yet."""
        with self._lock:
            if lang in self._recognizers or lang in self._loading:
                return
            self._loading.add(lang)
        threading.Thread(target=self._load_model, args=(lang,), name=f"model-{lang}",
                         daemon=True).start()

    def set_commands(self, lang: str, commands: Sequence[str],
                     fillers: Sequence[str] = ()) -> None:
        """What the current screen accepts, in its language."""
        self.prepare(lang)
        with self._lock:
            self._lang, self._commands, self._fillers = lang, tuple(commands), tuple(fillers)

    def talk(self, deaf_s: float = 0.0) -> bool:
        """Open a push-to-talk window; False when the kiosk cannot listen in this language.
        The first deaf_s of the window are not heard: the kiosk's own "listening" sound."""
        with self._lock:
            if self.problem is not None or self._recognizers.get(self._lang) is None:
                return False
            self._window = round(WINDOW_S / BLOCK_SECONDS)
            self._deaf = round(deaf_s / BLOCK_SECONDS)
        self._state("listening")
        return True

    @property
    def listening(self) -> bool:
        with self._lock:
            return self.mode == "always" or self._window > 0

    def join(self, timeout: float | None = None) -> None:
        """Wait until the source has ended (a recording played to the end)."""
        self._thread.join(timeout)

    def close(self) -> None:
        self._closed.set()
        source = self._source
        if source is not None:
            source.close()
        self._thread.join(timeout=5)
        with self._lock:
            recognizers = [r for r in self._recognizers.values() if r is not None]
            self._recognizers.clear()
        for recognizer in recognizers:
            recognizer.close()

    # -- the threads ------------------------------------------------------------------------

    def _load_model(self, lang: str) -> None:
        try:
            recognizer = self._load(lang)
        except ModelError as exc:
            log.warning("speech model for %s does not load: %s", lang, exc)
            recognizer = None
        with self._lock:
            self._loading.discard(lang)
            if self._closed.is_set():
                if recognizer is not None:
                    recognizer.close()
                return
            self._recognizers[lang] = recognizer
        if recognizer is not None:
            self._state("ready")

    def _listen(self) -> None:
        try:
            self._source = self._open_source()
        except AudioInputError as exc:
            self.problem = str(exc)
            log.warning("not listening: %s", exc)
            self._state("unavailable")
            return
        try:
            for block in self._source.blocks():
                if self._closed.is_set():
                    break
                self._feed(block)
        except AudioInputError as exc:
            self.problem = str(exc)
            log.warning("listening stopped: %s", exc)
            self._state("unavailable")

    def _feed(self, block: bytes) -> None:
        with self._lock:
            lang = self._lang
            recognizer = self._recognizers.get(lang)
            if recognizer is None:
                return
            wanted = (self._commands, self._fillers)
            if self.mode == "push":
                if self._window <= 0:
                    return
                self._window -= 1
                closed = self._window == 0
                if self._deaf > 0 and not closed:
                    self._deaf -= 1
                    return
            else:
                closed = False
        if closed:
            # Nothing heard in the whole window: what was half-heard is dropped, not acted on.
            recognizer.reset()
            self._state("idle")
            return
        if self._applied.get(lang) != wanted:
            recognizer.set_commands(*wanted)
            self._applied[lang] = wanted
        heard = recognizer.accept(block)
        if heard is None:
            return
        if self.mode == "push":
            with self._lock:
                self._window = 0
        self._state("idle" if self.mode == "push" else "listening")
        if self.on_heard is not None:
            self.on_heard(heard)

    def _state(self, state: str) -> None:
        if self.on_state is not None:
            self.on_state(state)
