"""Audio input for offline speech recognition: a WAV file or the microphone, in 100 ms blocks.

Every source yields one format, the one speech recognizers and voice activity detectors take:
16 kHz, mono, signed 16-bit little-endian PCM, in blocks of 100 ms (1600 samples, 3200 bytes).
``WavSource`` converts a file into it (tests, replaying a recording); ``MicrophoneSource``
records from a sound card through PortAudio (sounddevice). What a citizen says is personal:
sources log formats and counts, never samples, and drop what they hold on ``close()``.
"""

from __future__ import annotations

import array
import logging
import math
import sys
import threading
import wave
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
BLOCK_SAMPLES = 1600
BLOCK_BYTES = 2 * BLOCK_SAMPLES
BLOCK_SECONDS = BLOCK_SAMPLES / SAMPLE_RATE


class AudioSource(Protocol):
    """Blocks of ``BLOCK_BYTES`` bytes (16 kHz mono s16le), in order, until the source ends."""

    description: str

    def blocks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class AudioInputError(Exception):
    """No audio can be read: an unreadable file, no microphone, no PortAudio library."""


def _little_endian(samples: array.array[int]) -> bytes:
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def _to_int16(frames: bytes, width: int) -> array.array[int]:
    """Samples of any PCM width as 16-bit: 8-bit WAV is unsigned, wider is cut to its top 16."""
    if width == 1:
        return array.array("h", ((byte - 128) << 8 for byte in frames))
    top = bytearray(2 * (len(frames) // width))
    top[0::2], top[1::2] = frames[width - 2::width], frames[width - 1::width]
    samples = array.array("h", bytes(top))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _mono(samples: array.array[int], channels: int) -> array.array[int]:
    if channels == 1:
        return samples
    lanes = [samples[channel::channels] for channel in range(channels)]
    return array.array("h", (sum(frame) // channels for frame in zip(*lanes, strict=True)))


def _resample(samples: array.array[int], rate: int) -> array.array[int]:
    """Linear interpolation to SAMPLE_RATE, in integers so lengths and positions are exact. No
    anti-aliasing filter: speech has little energy above 8 kHz to fold back."""
    if rate == SAMPLE_RATE or not samples:
        return samples
    count = (len(samples) * SAMPLE_RATE + rate // 2) // rate
    last = len(samples) - 1
    out = array.array("h", bytes(2 * count))
    for n in range(count):
        index, remainder = divmod(n * rate, SAMPLE_RATE)
        if index >= last:
            out[n] = samples[last]
        else:
            here, after = samples[index], samples[index + 1]
            out[n] = here + ((after - here) * remainder + SAMPLE_RATE // 2) // SAMPLE_RATE
    return out


def read_wav(path: Path) -> array.array[int]:
    """The samples of a PCM WAV file (8 to 32 bit, any rate and channels) at 16 kHz mono."""
    try:
        with wave.open(str(path), "rb") as reader:
            channels, width = reader.getnchannels(), reader.getsampwidth()
            rate, frames = reader.getframerate(), reader.readframes(reader.getnframes())
    except EOFError as exc:
        raise AudioInputError(f"{path}: not a WAV file (it is empty or cut short)") from exc
    except wave.Error as exc:
        raise AudioInputError(f"{path}: not a WAV file the kiosk can read ({exc})") from exc
    except OSError as exc:
        raise AudioInputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if width not in (1, 2, 3, 4) or rate <= 0:
        raise AudioInputError(f"{path}: unsupported WAV format ({width}-byte samples, {rate} Hz)")
    # A file cut short mid-frame would shift every later sample into the wrong channel.
    frames = frames[:len(frames) - len(frames) % (width * channels)]
    if not frames:
        raise AudioInputError(f"{path}: the WAV file holds no sound")
    log.debug("audio file %s: %d Hz, %d channel(s), %d-bit, %.1f s", path.name, rate, channels,
              8 * width, len(frames) / (width * channels * rate))
    return _resample(_mono(_to_int16(frames, width), channels), rate)


class WavSource:
    """A WAV file as 100 ms blocks; the last block is padded with silence.

    ``silence_after_s`` appends that much silence first, so an end-of-speech detector fed the
    file sees the pause a speaker would leave.
    """

    def __init__(self, path: Path | str, *, silence_after_s: float = 0.0) -> None:
        if not 0 <= silence_after_s < math.inf:
            raise ValueError(f"silence_after_s must be 0 or more seconds, not {silence_after_s}")
        self.path = Path(path)
        self.description = f"audio file {self.path.name}"
        samples = read_wav(self.path)
        silence = round(silence_after_s * SAMPLE_RATE)
        silence += -(len(samples) + silence) % BLOCK_SAMPLES
        samples.frombytes(bytes(2 * silence))
        self._data = _little_endian(samples)

    @property
    def seconds(self) -> float:
        """How long the blocks last, padding and added silence included."""
        return len(self._data) / (2 * SAMPLE_RATE)

    def blocks(self) -> Iterator[bytes]:
        for offset in range(0, len(self._data), BLOCK_BYTES):
            if not self._data:
                return
            yield self._data[offset:offset + BLOCK_BYTES]

    def close(self) -> None:
        self._data = b""


def _input_device(device: int | str | None) -> tuple[Any, dict[str, Any]]:
    """(the sounddevice module, the input device's info), or AudioInputError saying why not."""
    try:
        # Imported here so the kiosk still starts on a machine without libportaudio.
        import sounddevice
    except OSError as exc:
        raise AudioInputError(f"no microphone: the PortAudio library is missing ({exc})") from exc
    try:
        info: dict[str, Any] = sounddevice.query_devices(device, kind="input")
    except (sounddevice.PortAudioError, ValueError) as exc:
        which = "audio input device" if device is None else f"input device {device!r}"
        raise AudioInputError(f"no microphone: this machine has no {which} ({exc})") from exc
    return sounddevice, info


def probe_microphone(device: int | str | None = None) -> str | None:
    """None when there is a microphone to record from, else a sentence saying why not."""
    try:
        _input_device(device)
    except AudioInputError as exc:
        return str(exc)
    return None


class MicrophoneSource:
    """Records from a sound card as soon as it is made, until ``close()``.

    PortAudio's callback hands blocks over through a buffer of ``buffer_blocks``. If the reader
    falls that far behind, the oldest blocks go, so what it reads next is what is said now.
    ``blocks()`` raises AudioInputError when no block comes for ``stall_s`` (a microphone
    unplugged mid-sentence), and ends after ``close()``.
    """

    def __init__(
        self, device: int | str | None = None, *, buffer_blocks: int = 50, stall_s: float = 2.0
    ) -> None:
        sd, info = _input_device(device)
        self.description = f"microphone {info['name']}"
        self.stall_s = stall_s
        self.dropped = self.overflows = 0
        self._buffer: deque[bytes] = deque(maxlen=max(1, buffer_blocks))
        self._ready = threading.Condition()
        self._closed = False
        self._stream: Any = None
        try:
            self._stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE, channels=1, dtype="int16", blocksize=BLOCK_SAMPLES,
                device=info["index"], callback=self._on_block,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            if self._stream is not None:
                self._stream.close()
            raise AudioInputError(
                f"no microphone: {self.description} cannot record 16 kHz mono ({exc})") from exc

    def _on_block(self, data: Any, _frames: int, _time: Any, status: Any) -> None:
        # PortAudio's thread: it must not wait on the reader, and an exception stops the stream.
        block = _little_endian(array.array("h", bytes(data)))
        with self._ready:
            if self._closed:
                return
            self.overflows += bool(status)
            self.dropped += len(self._buffer) == self._buffer.maxlen
            self._buffer.append(block)
            self._ready.notify()

    def blocks(self) -> Iterator[bytes]:
        while True:
            with self._ready:
                if not self._ready.wait_for(lambda: self._buffer or self._closed, self.stall_s):
                    raise AudioInputError(
                        f"{self.description} sent no sound for {self.stall_s:g} s")
                if self._closed:
                    return
                block = self._buffer.popleft()
            yield block

    def close(self) -> None:
        with self._ready:
            if self._closed:
                return
            self._closed = True
            # Unread speech goes now, not whenever the source is garbage collected.
            self._buffer.clear()
            self._ready.notify_all()
        # Outside the lock: abort() waits for a running callback, which takes the lock.
        try:
            self._stream.abort()
            self._stream.close()
        except Exception as exc:  # a vanished device must not stop the kiosk from closing
            log.warning("microphone: closing %s failed (%s)", self.description, exc)
        log.debug("microphone closed: %d block(s) dropped, %d overflow(s)", self.dropped,
                  self.overflows)
