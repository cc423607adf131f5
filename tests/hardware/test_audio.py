"""Audio outputs on this machine: real WAV files, a real PortAudio stream on ALSA's null device."""

from __future__ import annotations

import array
import itertools
import math
import os
import stat
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from hardware.audio import (
    FileSink,
    NoAudioDevice,
    NullOutput,
    SoundDeviceOutput,
    make_tone,
    open_output,
)
from kiosk.clock import ManualClock

REPO = Path(__file__).resolve().parents[2]


def samples(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as reader:
        data = array.array("h")
        data.frombytes(reader.readframes(reader.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def rms(path: Path) -> float:
    data = samples(path)
    return math.sqrt(sum(s * s for s in data) / len(data))


def has_output_device() -> bool:
    try:
        SoundDeviceOutput().close()
    except NoAudioDevice:
        return False
    return True


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    return make_tone(tmp_path / "tone.wav", freq=440.0, seconds=0.5)


def test_make_tone_writes_a_sine_of_the_asked_pitch_and_length(tmp_path: Path) -> None:
    path = make_tone(tmp_path / "beep.wav")
    with wave.open(str(path), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1, 2, 22050)
        assert reader.getnframes() == int(22050 * 0.4)
    data = samples(path)
    crossings = sum(1 for a, b in itertools.pairwise(data) if (a < 0) != (b < 0))
    # 880 Hz for 0.4 s crosses zero twice per period: 704 times.
    assert 690 <= crossings <= 710
    assert rms(path) > 5000
    assert abs(data[0]) < 100 and abs(data[-1]) < 100, "fades keep the ends quiet (no click)"


def test_make_tone_refuses_nonsense(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        make_tone(tmp_path / "x.wav", freq=0)


def test_file_sink_writes_numbered_copies_and_plays_for_the_clip_duration(
    tmp_path: Path, tone: Path
) -> None:
    clock = ManualClock()
    sink = FileSink(tmp_path / "out", clock)
    assert not sink.is_playing()
    sink.play(tone)
    sink.play(tone)
    assert [p.name for p in sink.played] == ["0001.wav", "0002.wav"]
    assert samples(sink.played[0]) == samples(tone)
    assert sink.is_playing()
    clock.advance(0.45)
    assert sink.is_playing()
    clock.advance(0.1)
    assert not sink.is_playing()
    sink.play(tone)
    sink.stop()
    assert not sink.is_playing()


def test_file_sink_applies_volume_to_the_samples(tmp_path: Path, tone: Path) -> None:
    sink = FileSink(tmp_path / "out", ManualClock())
    sink.play(tone)
    sink.set_volume(0.25)
    sink.play(tone)
    sink.set_volume(0)
    sink.play(tone)
    loud, quiet, silent = (rms(p) for p in sink.played)
    assert quiet == pytest.approx(loud * 0.25, rel=0.01)
    assert silent == 0


def test_volume_clamps_and_route_is_checked() -> None:
    sink = NullOutput()
    sink.set_volume(3)
    assert sink.volume == 1.0
    sink.set_volume(-1)
    assert sink.volume == 0.0
    assert sink.route == "speaker"
    sink.set_route("headset")
    assert sink.route == "headset"
    with pytest.raises(ValueError, match="speaker, headset"):
        sink.set_route("bluetooth")


def test_file_sink_clear_deletes_the_clips(tmp_path: Path, tone: Path) -> None:
    sink = FileSink(tmp_path / "out", ManualClock())
    sink.play(tone)
    written = list(sink.played)
    sink.clear()
    assert sink.played == []
    assert not any(p.exists() for p in written)
    assert not sink.is_playing()
    sink.play(tone)
    assert sink.played[0].name == "0002.wav"


def test_private_file_sink_is_0700_and_close_removes_it(tone: Path) -> None:
    sink = FileSink.private()
    assert stat.S_IMODE(sink.directory.stat().st_mode) == 0o700
    sink.play(tone)
    sink.close()
    assert not sink.directory.exists()


def test_null_output_plays_nothing(tone: Path) -> None:
    out = NullOutput()
    out.play(tone)
    assert not out.is_playing()
    assert out.description == "no audio output"


def test_only_16_bit_wav_is_played(tmp_path: Path) -> None:
    odd = tmp_path / "8bit.wav"
    with wave.open(str(odd), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8000)
        writer.writeframes(bytes(800))
    with pytest.raises(ValueError, match="16-bit"):
        FileSink(tmp_path / "out").play(odd)


def test_open_output_none_and_file(tmp_path: Path) -> None:
    assert isinstance(open_output("none"), NullOutput)
    sink = open_output(f"file:{tmp_path / 'clips'}")
    assert isinstance(sink, FileSink)
    assert sink.directory == tmp_path / "clips"
    assert sink.directory.is_dir()
    assert str(tmp_path / "clips") in sink.description


def test_open_output_auto_uses_the_sound_card_or_falls_back_to_a_private_sink() -> None:
    out = open_output("auto")
    try:
        if has_output_device():
            assert isinstance(out, SoundDeviceOutput)
        else:
            assert isinstance(out, FileSink)
            assert stat.S_IMODE(out.directory.stat().st_mode) == 0o700
    finally:
        out.close()


def test_no_device_is_a_clear_error_not_a_crash() -> None:
    if has_output_device():
        pytest.skip("this machine has a sound card")
    with pytest.raises(NoAudioDevice, match="no audio output device"):
        SoundDeviceOutput()


@pytest.mark.parametrize("spec", ["speaker", "file:", "file:   ", "", "AUTO"])
def test_open_output_rejects_garbage_with_the_choices(spec: str) -> None:
    with pytest.raises(ValueError, match=r"'auto'|directory"):
        open_output(spec)


def test_sound_device_output_streams_through_portaudio(tmp_path: Path) -> None:
    # ALSA's null device is a real PortAudio output that swallows samples. PortAudio reads the
    # ALSA configuration once per process, so this runs in a child with its own HOME.
    (tmp_path / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n", encoding="utf-8")
    script = textwrap.dedent(
        """
        import time
        from pathlib import Path
        from hardware.audio import SoundDeviceOutput, make_tone, open_output

        out = open_output("auto")
        assert isinstance(out, SoundDeviceOutput), out
        tone = make_tone(Path("tone.wav"), seconds=0.5)
        out.set_volume(0.5)
        out.play(tone)
        deadline = time.monotonic() + 20
        while out.is_playing() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not out.is_playing(), "playback never finished"
        out.play(tone)
        out.stop()
        assert not out.is_playing()
        out.close()
        print("ok", out.description)
        """
    )
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok sound card")
