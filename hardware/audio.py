"""Audio output for the kiosk: the sound card, a directory of WAV files, or nothing.

Every output takes 16-bit PCM WAV files, applies its own volume to the samples (so a volume set
for one citizen is exactly what the next one gets after a reset, whatever the synthesizer did)
and knows its route: the loudspeaker, which everyone nearby hears, or a headset. A kiosk without
a sound card (a headless test machine, a broken driver) falls back to a ``FileSink`` so speech
still runs end to end and can be checked.

``play()`` reads the whole file before it returns, so callers may delete the file right after.
"""

from __future__ import annotations

import array
import math
import shutil
import sys
import tempfile
import threading
import wave
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Protocol

from kiosk.clock import Clock, SystemClock

ROUTES = ("speaker", "headset")
SAMPLE_WIDTH = 2
"""Bytes per sample: every WAV this kiosk plays is 16-bit PCM (espeak-ng and make_tone)."""


class AudioOutput(Protocol):
    """Where speech and tones go. ``play()`` never blocks and stops whatever was playing."""

    route: str
    description: str

    def play(self, wav: Path) -> None: ...

    def stop(self) -> None: ...

    def is_playing(self) -> bool: ...

    def set_volume(self, volume: float) -> None: ...

    def set_route(self, route: str) -> None: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class NoAudioDevice(RuntimeError):
    """There is no sound card to play on (no PortAudio library, no output device)."""


class _Output(ABC):
    """Volume and route bookkeeping shared by every output."""

    description = "audio output"

    def __init__(self) -> None:
        self.route = "speaker"
        self.volume = 1.0

    def set_volume(self, volume: float) -> None:
        """Set the volume from 0 (silent) to 1 (as synthesized); out-of-range values clamp."""
        if math.isnan(volume):
            raise ValueError("volume must be a number from 0 to 1, not NaN")
        self.volume = min(1.0, max(0.0, float(volume)))

    def set_route(self, route: str) -> None:
        """Record where the sound goes; private text is only spoken on "headset"."""
        if route not in ROUTES:
            raise ValueError(f"unknown audio route {route!r}: use one of {', '.join(ROUTES)}")
        self.route = route

    def clear(self) -> None:
        """Forget anything kept from this session; outputs that keep nothing just stop."""
        self.stop()

    def close(self) -> None:
        self.clear()

    @abstractmethod
    def play(self, wav: Path) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def is_playing(self) -> bool: ...


def _read_pcm(wav: Path) -> tuple[int, int, bytes]:
    """(channels, frame rate, frames) of a 16-bit PCM WAV file."""
    with wave.open(str(wav), "rb") as reader:
        if reader.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"{wav}: only 16-bit PCM WAV can be played")
        return reader.getnchannels(), reader.getframerate(), reader.readframes(reader.getnframes())


def _scaled(frames: bytes, volume: float) -> bytes:
    """Little-endian 16-bit samples multiplied by volume."""
    if volume >= 1.0:
        return frames
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    out = array.array("h", (int(sample * volume) for sample in samples))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _write_pcm(path: Path, channels: int, rate: int, frames: bytes) -> None:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(rate)
        writer.writeframes(frames)


class NullOutput(_Output):
    """Plays nothing: speech switched off in the settings (captions still show)."""

    description = "no audio output"

    def play(self, wav: Path) -> None:
        """Nothing to play; the file is not even read."""

    def stop(self) -> None:
        """Nothing plays."""

    def is_playing(self) -> bool:
        return False


class FileSink(_Output):
    """Writes each played clip into a directory as 0001.wav, 0002.wav, ... (volume applied).

    A clip counts as playing for its own duration, measured on the clock, so code that waits for
    speech to finish behaves as it would with a sound card.
    """

    def __init__(
        self, directory: Path, clock: Clock | None = None, *, owns_directory: bool = False
    ) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.description = f"audio files in {self.directory}"
        self.played: list[Path] = []
        self._clock = clock or SystemClock()
        self._owns_directory = owns_directory
        self._sequence = 0
        self._until = -math.inf
        self._lock = threading.Lock()

    @classmethod
    def private(cls, clock: Clock | None = None) -> FileSink:
        """A sink in a fresh temporary directory only this user can read (mode 0700)."""
        return cls(Path(tempfile.mkdtemp(prefix="helselos-audio-")), clock, owns_directory=True)

    def play(self, wav: Path) -> None:
        channels, rate, frames = _read_pcm(wav)
        with self._lock:
            self._sequence += 1
            target = self.directory / f"{self._sequence:04d}.wav"
            _write_pcm(target, channels, rate, _scaled(frames, self.volume))
            self.played.append(target)
            seconds = len(frames) / (SAMPLE_WIDTH * channels * rate)
            self._until = self._clock.monotonic() + seconds

    def stop(self) -> None:
        with self._lock:
            self._until = -math.inf

    def is_playing(self) -> bool:
        with self._lock:
            return self._clock.monotonic() < self._until

    def clear(self) -> None:
        """Stop and delete every clip written so far: the clips may hold personal data."""
        with self._lock:
            self._until = -math.inf
            for path in self.played:
                path.unlink(missing_ok=True)
            self.played.clear()

    def close(self) -> None:
        self.clear()
        if self._owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class SoundDeviceOutput(_Output):
    """Plays on a sound card through PortAudio (sounddevice), streaming from memory."""

    def __init__(self, device: int | str | None = None) -> None:
        super().__init__()
        try:
            # Imported here so the kiosk still starts on a machine without libportaudio.
            import sounddevice
        except OSError as exc:
            raise NoAudioDevice(f"the PortAudio library is not available: {exc}") from exc
        try:
            info: Any = sounddevice.query_devices(device, kind="output")
        except (sounddevice.PortAudioError, ValueError) as exc:
            raise NoAudioDevice(f"no audio output device: {exc}") from exc
        self._sd = sounddevice
        self._device = info["index"]
        self.description = f"sound card {info['name']}"
        self._stream: Any = None
        # Reentrant: play() stops the previous stream while holding it.
        self._lock = threading.RLock()

    def play(self, wav: Path) -> None:
        channels, rate, frames = _read_pcm(wav)
        data = _scaled(frames, self.volume)
        position = 0
        sd = self._sd

        def feed(outdata: Any, frame_count: int, _time: Any, _status: Any) -> None:
            nonlocal position
            wanted = frame_count * channels * SAMPLE_WIDTH
            chunk = data[position:position + wanted]
            position += len(chunk)
            outdata[:len(chunk)] = chunk
            if len(chunk) < wanted:
                outdata[len(chunk):] = bytes(wanted - len(chunk))
                raise sd.CallbackStop

        with self._lock:
            self.stop()
            self._stream = sd.RawOutputStream(
                samplerate=rate, channels=channels, dtype="int16", device=self._device,
                callback=feed,
            )
            self._stream.start()

    def stop(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
            if stream is not None:
                stream.abort()
                stream.close()

    def is_playing(self) -> bool:
        with self._lock:
            return self._stream is not None and bool(self._stream.active)


def open_output(spec: str, clock: Clock | None = None) -> AudioOutput:
    """The output named by the ``audio_output`` setting: "auto", "none" or "file:DIR".

    "auto" is the sound card when there is an output device, else a private FileSink.
    """
    if spec == "none":
        return NullOutput()
    if spec == "auto":
        try:
            return SoundDeviceOutput()
        except NoAudioDevice:
            return FileSink.private(clock)
    if spec.startswith("file:"):
        directory = spec.removeprefix("file:").strip()
        if not directory:
            raise ValueError("audio output 'file:' needs a directory, e.g. 'file:/tmp/kiosk-audio'")
        return FileSink(Path(directory).expanduser(), clock)
    raise ValueError(
        f"unknown audio output {spec!r}: use 'auto' (sound card, else files), 'none' (silent) "
        "or 'file:DIR' (write each clip into DIR)"
    )


def make_tone(
    path: Path, freq: float = 880.0, seconds: float = 0.4, *, rate: int = 22050
) -> Path:
    """Write a sine beep as 16-bit mono WAV; 10 ms fades keep the speaker from clicking."""
    if freq <= 0 or seconds <= 0:
        raise ValueError("a tone needs a positive frequency and duration")
    count = int(rate * seconds)
    fade = max(1, min(count // 2, rate // 100))
    amplitude = 0.5 * 32767
    samples = array.array("h")
    for n in range(count):
        envelope = min(1.0, n / fade, (count - 1 - n) / fade)
        samples.append(int(amplitude * envelope * math.sin(2 * math.pi * freq * n / rate)))
    if sys.byteorder == "big":
        samples.byteswap()
    _write_pcm(Path(path), 1, rate, samples.tobytes())
    return Path(path)


LISTENING_SOUND_S = 0.12
"""The "speak now" beep after the Talk key: short, so the citizen's first word comes after it."""

CHIME_S = 0.9
"""How long the call-staff chime lasts: speech that follows it waits this long."""


def make_chime(path: Path, *, rate: int = 22050) -> Path:
    """Write the call-staff chime as 16-bit mono WAV: two fading bell notes, high then low (E5,
    C5), so that nobody takes it for the flat warning beep of make_tone."""
    notes = ((659.25, 0.0), (523.25, 0.35))
    count = int(rate * CHIME_S)
    attack = rate // 200  # 5 ms: a note that starts at full loudness clicks
    mixed = [0.0] * count
    for freq, start_s in notes:
        start = int(rate * start_s)
        for n in range(count - start):
            t = n / rate
            envelope = min(1.0, n / attack) * math.exp(-4.0 * t)
            # A little of the octave above makes it ring like a bell rather than beep.
            wave_ = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            mixed[start + n] += envelope * wave_
    # Fade the tail out over the last 10 ms so the speaker does not click at the end.
    fade = rate // 100
    for n in range(fade):
        mixed[count - 1 - n] *= n / fade
    peak = max(abs(v) for v in mixed)
    amplitude = 0.5 * 32767 / peak
    samples = array.array("h", (int(v * amplitude) for v in mixed))
    if sys.byteorder == "big":
        samples.byteswap()
    _write_pcm(Path(path), 1, rate, samples.tobytes())
    return Path(path)
