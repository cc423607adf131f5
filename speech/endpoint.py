"""End of speech: when has a citizen finished saying something to the kiosk?

``UtteranceSegmenter`` holds no audio. Whatever listens (a voice activity detector on the
microphone's 100 ms blocks) feeds it one verdict per block, "speech" or "not speech", with the
block's length in seconds, and reads back where the utterance is: still ``waiting`` for it to
begin, ``speaking``, ``ended`` by a pause, or ``timed_out``. Keeping the timing rules apart from
the audio lets them be tested exactly, with lists of booleans.

The rules and numbers follow Home Assistant's assist pipeline (``VoiceCommandSegmenter`` in
homeassistant/components/assist_pipeline/vad.py), whose defaults are tuned for short spoken
commands: 0.3 s of speech starts an utterance, 0.7 s of silence ends it (its "default"
sensitivity; "relaxed" is 1.25 s, "aggressive" 0.25 s) and 15 s ends it whatever happens.
Two simplifications: the speech that starts an utterance must be consecutive (Home Assistant
forgives gaps under its 1 s ``reset_seconds``), and any speech during the pause restarts the
silence count (Home Assistant needs 1 s of it). Home Assistant's minimum command length (1 s)
is left out: a citizen answering "ja" must not be kept waiting.
"""

from __future__ import annotations

import logging
import math
from enum import StrEnum

log = logging.getLogger(__name__)

DEFAULT_SPEECH_S = 0.3
DEFAULT_SILENCE_S = 0.7
DEFAULT_TIMEOUT_S = 15.0

# Times are summed as whole microseconds: ten float 0.1 s blocks add up to 0.9999999999999999,
# which would make "1 s of silence" need an eleventh block.
_US_PER_S = 1_000_000


def _microseconds(seconds: float, what: str) -> int:
    if math.isnan(seconds) or math.isinf(seconds) or seconds <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {seconds!r}")
    return round(seconds * _US_PER_S)


class EndpointState(StrEnum):
    """Where the utterance is. Compares equal to its value ("waiting", ...)."""

    WAITING = "waiting"
    """No utterance yet: silence, or speech too short to count."""
    SPEAKING = "speaking"
    """The utterance has started and has not ended."""
    ENDED = "ended"
    """The citizen spoke and then paused long enough: the utterance is complete."""
    TIMED_OUT = "timed_out"
    """The time limit passed, whether or not anything was said (see ``started``)."""


class UtteranceSegmenter:
    """Finds the start and the end of one utterance from per-block speech verdicts.

    Once ``ended`` or ``timed_out`` the state stays put, whatever is fed, until ``reset()``.
    """

    def __init__(
        self,
        *,
        speech_s: float = DEFAULT_SPEECH_S,
        silence_s: float = DEFAULT_SILENCE_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.speech_s, self.silence_s, self.timeout_s = speech_s, silence_s, timeout_s
        self._speech_limit = _microseconds(speech_s, "speech_s")
        self._silence_limit = _microseconds(silence_s, "silence_s")
        self._timeout_limit = _microseconds(timeout_s, "timeout_s")
        self.reset()

    def reset(self) -> None:
        """Start over, waiting for a new utterance with a fresh time limit."""
        self._state = EndpointState.WAITING
        self._started = False
        self._elapsed = 0
        self._speech = 0
        self._silence = 0

    @property
    def state(self) -> EndpointState:
        return self._state

    @property
    def started(self) -> bool:
        """Whether an utterance began: a time-out after speech, or after nothing at all."""
        return self._started

    @property
    def done(self) -> bool:
        """Whether listening can stop: the utterance ended or timed out."""
        return self._state in (EndpointState.ENDED, EndpointState.TIMED_OUT)

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio fed since the last reset."""
        return self._elapsed / _US_PER_S

    def process(self, is_speech: bool, seconds: float = 0.1) -> EndpointState:
        """Take the verdict for the next block of ``seconds`` and return the new state."""
        block = _microseconds(seconds, "a block's duration")
        if self.done:
            return self._state
        self._elapsed += block
        if self._state is EndpointState.WAITING:
            # A cough or a click shorter than speech_s must not start an utterance.
            self._speech = self._speech + block if is_speech else 0
            if self._speech >= self._speech_limit:
                self._state, self._started, self._silence = EndpointState.SPEAKING, True, 0
                log.debug("speech started after %.1f s", self.elapsed_s)
        elif is_speech:
            self._silence = 0
        else:
            self._silence += block
            if self._silence >= self._silence_limit:
                self._state = EndpointState.ENDED
                log.debug("speech ended after %.1f s", self.elapsed_s)
        # A pause that completes on the last allowed block still counts as a finished utterance.
        if not self.done and self._elapsed >= self._timeout_limit:
            self._state = EndpointState.TIMED_OUT
            log.debug("listening timed out after %.1f s (speech started: %s)",
                      self.elapsed_s, self._started)
        return self._state
