"""The kiosk's voice: speaks what the screen says, never blocking the UI, never leaking privacy.

``say()`` only records a request and returns; a worker thread synthesizes and plays it. The
newest request wins: a new ``say()`` drops what is queued and stops what plays, because a
citizen who has moved on does not want to hear the previous screen. A warning tone is the one
thing speech does not cut off (it lasts 0.4 s and matters more); ``tone()`` interrupts speech.

Private text (names, appointments) is spoken only into a headset; on the loudspeaker a notice
is spoken instead. ``on_event(kind, text)`` reports "speaking"/"done" pairs and "tone" from the
worker thread so the UI can show captions, also when speech is off or there is no voice.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hardware.audio import AudioOutput, make_tone
from speech.synth import DEFAULT_RATE, NoVoice, Synthesizer
from translations.catalog import N_

log = logging.getLogger(__name__)

PRIVATE_NOTICE = N_("This is private. Plug in a headset to hear it.")
"""English msgid, spoken through the translate callback in the UI language."""
PLAYBACK_POLL_S = 0.02
"""How often the worker checks whether a clip has finished; short enough for wait_idle()."""


def _identity(msgid: str, _lang: str) -> str:
    return msgid


@dataclass
class _Job:
    kind: str
    text: str = ""
    lang: str = ""
    private: bool = False
    cancelled: bool = False


class Voice:
    """Speech for one kiosk. ``synth`` None (or ``enabled`` False) means captions only."""

    def __init__(
        self,
        synth: Synthesizer | None,
        output: AudioOutput,
        *,
        translate: Callable[[str, str], str] = _identity,
        on_event: Callable[[str, str], None] | None = None,
        enabled: bool = True,
        rate: int = DEFAULT_RATE,
    ) -> None:
        self.synth = synth
        self.output = output
        self.translate = translate
        self.on_event = on_event
        self.enabled = enabled
        self.default_rate = rate
        self.rate = rate
        """Words per minute for the next utterance (the citizen's preference)."""
        self.last_text: str | None = None
        self.last_lang: str | None = None
        self.spoken: list[str] = []
        """Everything actually sent to the output this session, after privacy masking."""
        self._last_private = False
        self._queue: deque[_Job] = deque()
        self._current: _Job | None = None
        self._closed = False
        self._cond = threading.Condition()
        self._tone_dir = Path(tempfile.mkdtemp(prefix="helselos-tone-"))
        self._tone = make_tone(self._tone_dir / "warning.wav")
        self._worker = threading.Thread(target=self._work, name="voice", daemon=True)
        self._worker.start()

    def say(self, text: str, lang: str, *, private: bool = False) -> None:
        """Speak text in lang instead of whatever is queued or playing; returns at once."""
        with self._cond:
            self.last_text, self.last_lang, self._last_private = text, lang, private
            self._cancel(lambda job: job.kind == "say")
            self._queue.append(_Job("say", text, lang, private))
            self._cond.notify_all()

    def repeat(self) -> None:
        """Say the last text again (the citizen pressed "repeat")."""
        if self.last_text is not None and self.last_lang is not None:
            self.say(self.last_text, self.last_lang, private=self._last_private)

    def tone(self) -> None:
        """Play the warning tone now, cutting off speech; speech asked for next follows it."""
        with self._cond:
            self._cancel(lambda _job: True)
            self._queue.append(_Job("tone"))
            self._cond.notify_all()

    def stop(self) -> None:
        """Silence: drop everything queued and stop what plays."""
        with self._cond:
            self._cancel(lambda _job: True)
            self._cond.notify_all()

    def has_voice(self, lang: str) -> bool:
        return self.synth is not None and self.synth.has_voice(lang)

    def kind(self, lang: str) -> str | None:
        """What speaks lang here: "piper", "espeak", "neighbour:nb", "recorded" or None (see
        speech.voices.voice_for); None also when speech could not start."""
        return self.synth.kind(lang) if self.synth is not None else None

    def reset(self) -> None:
        """Session end: silence, forget what was said and delete every audio file."""
        with self._cond:
            self._cancel(lambda _job: True)
            self.last_text = self.last_lang = None
            self._last_private = False
            self.spoken.clear()
            self.rate = self.default_rate
            self._cond.notify_all()
        if self.synth is not None:
            self.synth.clear()
        self.output.clear()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything asked for has been synthesized and played; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._queue and self._current is None, timeout
            )

    def close(self) -> None:
        """Stop speaking and end the worker thread; synth and output stay open (not ours)."""
        with self._cond:
            self._cancel(lambda _job: True)
            self._closed = True
            self._cond.notify_all()
        self._worker.join()
        shutil.rmtree(self._tone_dir, ignore_errors=True)

    def _cancel(self, matches: Callable[[_Job], bool]) -> None:
        """With the lock held: cancel matching jobs, and stop the output if the current one is."""
        for job in self._queue:
            job.cancelled = job.cancelled or matches(job)
        self._queue = deque(job for job in self._queue if not job.cancelled)
        if self._current is not None and not self._current.cancelled and matches(self._current):
            self._current.cancelled = True
            self.output.stop()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closed)
                if self._closed:
                    return
                job = self._current = self._queue.popleft()
            try:
                if job.kind == "tone":
                    self._play_tone(job)
                else:
                    self._speak(job)
            except Exception:
                # A broken sound card or synthesizer must not silence the kiosk for good.
                log.exception("speech failed")
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()

    def _play_tone(self, job: _Job) -> None:
        self._emit("tone", "")
        with self._cond:
            if job.cancelled:
                return
            self.output.play(self._tone)
        self._wait_playback(job)

    def _speak(self, job: _Job) -> None:
        # Decided here, not in say(): the headset may have been unplugged since.
        text = job.text
        if job.private and self.output.route != "headset":
            text = self.translate(PRIVATE_NOTICE, job.lang)
        self._emit("speaking", text)
        if self.enabled and self.synth is not None and text.strip():
            try:
                wav = self.synth.synthesize(text, job.lang, self.rate)
            except NoVoice as exc:
                log.info("caption only: %s", exc)
            else:
                try:
                    with self._cond:
                        if not job.cancelled:
                            self.output.play(wav)
                            self.spoken.append(text)
                finally:
                    # play() has read the file; spoken text may be personal, so it goes now.
                    wav.unlink(missing_ok=True)
                self._wait_playback(job)
        self._emit("done", text)

    def _wait_playback(self, job: _Job) -> None:
        with self._cond:
            while not job.cancelled and not self._closed and self.output.is_playing():
                self._cond.wait(PLAYBACK_POLL_S)

    def _emit(self, kind: str, text: str) -> None:
        callback = self.on_event
        if callback is None:
            return
        try:
            callback(kind, text)
        except Exception:
            log.exception("speech event handler failed for %r", kind)
