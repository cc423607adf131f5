"""Speaking to the kiosk in tests: espeak-ng makes the citizen's words, and a played source
hands them to the listener as a microphone would (100 ms blocks of 16 kHz mono), with silence
in between. This machine has no microphone: the source stands in for the sound card only, behind
the same AudioSource interface, and the real recognizer hears it."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hardware.microphone import BLOCK_BYTES, WavSource
from kiosk.runtime import Runtime
from kiosk.voice_control import NOT_UNDERSTOOD
from translations.catalog import Localizer

SILENCE = bytes(BLOCK_BYTES)
_ESPEAK_VOICES = {"nb": "nb", "en": "en", "ko": "ko"}


SPEEDS = (150, 110, 130)
"""Words per minute of a first try, then of saying it again more slowly, as people do."""


def spoken(text: str, lang: str, folder: Path, speed: int = SPEEDS[0]) -> Path:
    """A WAV of espeak-ng saying text in lang (at a citizen's pace)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"said-{next(_numbers)}.wav"
    subprocess.run(["espeak-ng", "-v", _ESPEAK_VOICES.get(lang, lang), "-s", str(speed), "-w",
                    str(path), text], check=True, capture_output=True, timeout=30)
    return path


_numbers = count()


class PlayedSource:
    """An AudioSource that plays queued recordings, then silence, faster than real time."""

    description = "recordings played by the test"

    def __init__(self, pace_s: float = 0.02) -> None:
        self.pace_s = pace_s
        self._clips: queue.Queue[Path] = queue.Queue()
        self._closed = threading.Event()
        self.played = threading.Event()
        """Set when every queued clip (and its trailing silence) has been handed over."""
        self.played.set()

    def play(self, wav: Path) -> None:
        self.played.clear()
        self._clips.put(wav)

    def blocks(self) -> Iterator[bytes]:
        while not self._closed.is_set():
            try:
                wav = self._clips.get(timeout=self.pace_s)
            except queue.Empty:
                self.played.set()
                yield SILENCE
                continue
            clip = WavSource(wav, silence_after_s=1.2)
            for block in clip.blocks():
                if self._closed.is_set():
                    return
                time.sleep(self.pace_s / 4)
                yield block
            clip.close()

    def close(self) -> None:
        self._closed.set()


class Citizen:
    """Says things to the kiosk and waits until the kiosk has done something about them; says
    them again when the kiosk says it did not understand, as a person would (a small model
    on synthetic speech mishears now and then, and must never act on what it misheard)."""

    def __init__(self, kd: SimpleNamespace, pilot: Any, runtime: Runtime,
                 source: PlayedSource, folder: Path, lang: str,
                 speeds: tuple[int, ...] = SPEEDS) -> None:
        self.kd, self.pilot, self.runtime, self.source = kd, pilot, runtime, source
        self.speeds = speeds
        self.folder, self.lang = folder, lang
        self.not_understood = Localizer(lang).gettext(NOT_UNDERSTOOD)
        self.repeats = 0
        self.heard: list[str] = []
        """Everything the kiosk said, in order (its voice is listened to, not changed)."""
        say = runtime.voice.say

        def listened(text: str, lang: str, private: bool = False) -> None:
            self.heard.append(text)
            say(text, lang, private=private)

        runtime.voice.say = listened

    async def says(self, words: str, then: Callable[[], bool], what: str) -> None:
        control = self.pilot.app.voice_control
        for speed in self.speeds:
            # A person lets the kiosk finish before answering (talking over it is heard only
            # as "stop"): wait until it is silent and listens for the screen again.
            await self.kd.wait_until(
                self.pilot, lambda: self.runtime.voice.wait_idle(0)
                and not control.kiosk_speaking, "the kiosk silent", attempts=1500)
            before = len(self.heard)
            self.source.play(spoken(words, self.lang, self.folder, speed))
            await self.kd.wait_until(self.pilot, self.source.played.is_set, "the clip played",
                                     attempts=1500)
            # Then the kiosk acts, says it did not understand, or (a sound it took for a
            # filler word) does nothing: given a few seconds, the citizen says it again.
            for _ in range(250):
                if then() or any(self.not_understood in t for t in self.heard[before:]):
                    break
                await self.pilot.pause(0.02)
            if then():
                return
            self.repeats += 1
        raise AssertionError(f"the kiosk never understood {words!r}")

    def last_said(self) -> str:
        return self.heard[-1] if self.heard else ""


async def model_ready(kd: SimpleNamespace, pilot: Any, runtime: Runtime, lang: str) -> None:
    """Wait until the kiosk has loaded lang's model in the background and listens."""
    listener = runtime.listener
    assert listener is not None
    await kd.wait_until(pilot, lambda: listener.listens(lang), f"the {lang} model",
                        attempts=1500)
