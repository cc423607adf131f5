"""Audio input: real WAV files of several formats converted to 16 kHz mono 100 ms blocks, a real
espeak-ng recording, and PortAudio capture for real, both with no microphone (this machine) and
on ALSA's null device, which records endless blocks without any sound card."""

from __future__ import annotations

import array
import math
import os
import subprocess
import sys
import textwrap
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.microphone import (
    BLOCK_BYTES,
    BLOCK_SAMPLES,
    BLOCK_SECONDS,
    SAMPLE_RATE,
    AudioInputError,
    AudioSource,
    MicrophoneSource,
    WavSource,
    probe_microphone,
)
from speech.endpoint import EndpointState, UtteranceSegmenter

REPO = Path(__file__).resolve().parents[2]


def write_wav(path: Path, rate: int, channels: int, width: int, frames: bytes) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return path


def s16(samples: list[int]) -> bytes:
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    return data.tobytes()


def unpack(block: bytes) -> list[int]:
    data = array.array("h", block)
    if sys.byteorder == "big":
        data.byteswap()
    return data.tolist()


def sine(freq: float, rate: int, count: int, amplitude: float = 10000) -> list[int]:
    return [round(amplitude * math.sin(2 * math.pi * freq * n / rate)) for n in range(count)]


def all_blocks(source: AudioSource) -> list[bytes]:
    try:
        return list(source.blocks())
    finally:
        source.close()


def test_16_khz_mono_passes_through_in_100_ms_blocks(tmp_path: Path) -> None:
    samples = sine(440, SAMPLE_RATE, SAMPLE_RATE)
    blocks = all_blocks(WavSource(write_wav(tmp_path / "a.wav", 16000, 1, 2, s16(samples))))
    assert BLOCK_BYTES == 3200 and BLOCK_SAMPLES == 1600 and BLOCK_SECONDS == 0.1
    assert [len(block) for block in blocks] == [BLOCK_BYTES] * 10
    assert unpack(b"".join(blocks)) == samples


def test_the_last_partial_block_is_padded_with_silence(tmp_path: Path) -> None:
    samples = [1000] * 4000  # 0.25 s
    source = WavSource(write_wav(tmp_path / "a.wav", 16000, 1, 2, s16(samples)))
    assert source.seconds == pytest.approx(0.3)
    blocks = all_blocks(source)
    assert [len(block) for block in blocks] == [BLOCK_BYTES] * 3
    assert unpack(blocks[2]) == [1000] * 800 + [0] * 800


def test_silence_can_be_appended_for_end_of_speech_detection(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", 16000, 1, 2, s16([1000] * 4000))
    everything = unpack(b"".join(all_blocks(WavSource(path, silence_after_s=0.5))))
    # 0.25 s of sound and 0.5 s of silence, padded up to whole blocks: 0.8 s.
    assert len(everything) == 12800
    assert everything[:4000] == [1000] * 4000 and set(everything[4000:]) == {0}
    with pytest.raises(ValueError, match="silence_after_s"):
        WavSource(path, silence_after_s=-1)


def test_44_1_khz_stereo_is_mixed_down_and_resampled(tmp_path: Path) -> None:
    left, right = sine(440, 44100, 44100, 8000), sine(440, 44100, 44100, 4000)
    frames = s16([sample for pair in zip(left, right, strict=True) for sample in pair])
    blocks = all_blocks(WavSource(write_wav(tmp_path / "a.wav", 44100, 2, 2, frames)))
    assert [len(block) for block in blocks] == [BLOCK_BYTES] * 10
    # The mean of both channels, as if it had been recorded at 16 kHz. Linear interpolation
    # cuts the corners of a 440 Hz sine sampled at 44.1 kHz by up to 0.05 % of its amplitude
    # (3 of 6000), and rounding adds a step or two.
    expected = sine(440, 16000, 16000, 6000)
    got = unpack(b"".join(blocks))
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= 6


@pytest.mark.parametrize(("rate", "seconds", "samples_out"), [
    (22050, 0.3, 4800), (44100, 1.0, 16000), (8000, 0.5, 8000), (48000, 0.05, 800),
    (11025, 0.2, 3200),
])
def test_resampled_length_is_the_same_duration(
    tmp_path: Path, rate: int, seconds: float, samples_out: int
) -> None:
    path = write_wav(tmp_path / "a.wav", rate, 1, 2, s16([500] * round(rate * seconds)))
    got = unpack(b"".join(all_blocks(WavSource(path))))
    assert got[:samples_out] == [500] * samples_out
    assert set(got[samples_out:]) <= {0} and len(got) % BLOCK_SAMPLES == 0


def test_8_bit_wav_is_unsigned_and_upsampled(tmp_path: Path) -> None:
    # 8 kHz, 8-bit (unsigned: 128 is silence), 0.1 s of each of three levels.
    frames = bytes([128] * 800 + [255] * 800 + [0] * 800)
    got = unpack(b"".join(all_blocks(WavSource(write_wav(tmp_path / "a.wav", 8000, 1, 1, frames)))))
    assert len(got) == 4800
    assert got[:1599] == [0] * 1599 and got[1600:3199] == [32512] * 1599
    assert got[3200:] == [-32768] * 1600


@pytest.mark.parametrize("width", [2, 3, 4])
def test_wider_samples_keep_their_top_16_bits(tmp_path: Path, width: int) -> None:
    values = [-32768, -1, 0, 1, 12345, 32767] * 300
    frames = b"".join(
        (value << 8 * (width - 2)).to_bytes(width, "little", signed=True) for value in values)
    got = unpack(b"".join(all_blocks(WavSource(write_wav(tmp_path / "a.wav", 16000, 1, width,
                                                         frames)))))
    assert got[:len(values)] == values


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "not a WAV file"),
    (b"RIFF", "not a WAV file"),
    (b"%PDF-1.7 this is no sound at all" * 4, "not a WAV file"),
])
def test_garbage_and_empty_files_name_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "recording.wav"
    path.write_bytes(content)
    with pytest.raises(AudioInputError, match=problem) as caught:
        WavSource(path)
    assert str(path) in str(caught.value)


def test_a_wav_file_without_frames_or_no_file_at_all_is_an_error(tmp_path: Path) -> None:
    empty = write_wav(tmp_path / "silent.wav", 16000, 1, 2, b"")
    with pytest.raises(AudioInputError, match=r"silent\.wav: the WAV file holds no sound"):
        WavSource(empty)
    with pytest.raises(AudioInputError, match=r"missing\.wav: cannot be read"):
        WavSource(tmp_path / "missing.wav")


def test_close_ends_the_blocks(tmp_path: Path) -> None:
    source = WavSource(write_wav(tmp_path / "a.wav", 16000, 1, 2, s16([7] * 16000)))
    reading = source.blocks()
    assert len(next(reading)) == BLOCK_BYTES
    source.close()
    assert list(reading) == [] and list(source.blocks()) == []


@pytest.fixture(scope="module")
def spoken() -> Iterator[Path]:
    from speech.synth import Synthesizer

    with Synthesizer() as synth:
        yield synth.synthesize("Hello, I would like to see my doctor.", "en")


@pytest.mark.slow
def test_a_real_espeak_recording_converts_and_its_end_is_found(spoken: Path) -> None:
    with wave.open(str(spoken), "rb") as reader:
        rate, count = reader.getframerate(), reader.getnframes()
    source = WavSource(spoken, silence_after_s=1.0)
    blocks = all_blocks(source)
    expected = round(count * SAMPLE_RATE / rate) + SAMPLE_RATE
    assert len(blocks) == -(-expected // BLOCK_SAMPLES)
    assert {len(block) for block in blocks} == {BLOCK_BYTES}
    # A plain loudness gate stands in for a voice activity detector.
    segmenter = UtteranceSegmenter()
    loud = [math.sqrt(sum(s * s for s in unpack(b)) / BLOCK_SAMPLES) > 300 for b in blocks]
    assert sum(loud) >= 5
    states = [segmenter.process(is_speech, BLOCK_SECONDS) for is_speech in loud]
    # The pause at the comma is too short; the end comes in the silence after the last word.
    assert EndpointState.SPEAKING in states and states[-1] == EndpointState.ENDED
    last_word = max(n for n, is_speech in enumerate(loud) if is_speech)
    assert states.index(EndpointState.ENDED) == last_word + 7


def test_no_microphone_is_a_plain_sentence_not_a_crash() -> None:
    assert probe_microphone("no-such-microphone") == (
        "no microphone: this machine has no input device 'no-such-microphone' "
        "(No input device matching 'no-such-microphone')")
    with pytest.raises(AudioInputError, match=r"^no microphone: "):
        MicrophoneSource("no-such-microphone")
    problem = probe_microphone()
    if problem is None:
        pytest.skip("this machine has a microphone")
    assert problem.startswith("no microphone: this machine has no audio input device")
    with pytest.raises(AudioInputError, match=r"^no microphone: "):
        MicrophoneSource()


def test_microphone_records_blocks_through_portaudio(tmp_path: Path) -> None:
    # ALSA's null device is a real PortAudio input that records silence as fast as it is read.
    # PortAudio reads the ALSA configuration once per process, so this runs in a child with its
    # own HOME.
    (tmp_path / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n", encoding="utf-8")
    script = textwrap.dedent(
        """
        import time
        from hardware.microphone import AudioInputError, MicrophoneSource, probe_microphone

        assert probe_microphone() is None
        source = MicrophoneSource(buffer_blocks=10, stall_s=0.5)
        reading = source.blocks()
        assert {len(next(reading)) for _ in range(30)} == {3200}
        time.sleep(0.2)
        # The reader fell behind: only the newest blocks were kept.
        assert source.dropped > 0 and len(source._buffer) <= 10, source.dropped
        source._stream.stop()  # the microphone goes quiet, as if unplugged
        try:
            for _ in reading:
                pass
        except AudioInputError as exc:
            assert "sent no sound for 0.5 s" in str(exc), exc
        else:
            raise AssertionError("a silent stream went unnoticed")

        source = MicrophoneSource()
        reading = source.blocks()
        next(reading)
        source.close()
        source.close()
        assert list(reading) == [] and list(source.blocks()) == []
        print("ok", source.description)
        """
    )
    env = {**os.environ, "HOME": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok microphone ")
