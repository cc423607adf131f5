"""The Whisper engine on the real whisper-base model with real audio: espeak-ng speaking English
and Norwegian (Bokmål), fed in 100 ms blocks as a microphone would. Nothing is mocked.

Synthetic speech proves the plumbing and the rejection of non-commands, not accuracy for
citizens. Measured here (espeak-ng 1.51, faster-whisper 1.2.1, whisper-base int8, 2 cores),
each command said by the four espeak variants in ``VARIANTS``: English 20 of 20 heard right;
Norwegian 7 of 16 ("ja" 3 of 4, "bestill time" 4 of 4; "nei" comes out "Hej!", "gjenta" as
"Jørn to." or as the prompt echoed back: rejected, never taken for another command). With nine
variants and seven English / six Norwegian commands: English 61 of 63, Norwegian 33 of 54, no
wrong command in 117. Silence, white noise and English on a Norwegian screen gave no command.

The prompt's form matters: with the commands as capitalised sentences ("Ja. Nei. Bestill
time.") Whisper echoed one back and 5 of 16 Norwegian utterances became a wrong command; the
lower-case comma list the engine uses gave none.
"""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from speech.recognizer import BLOCK_BYTES, SAMPLE_RATE, Heard, ModelError
from speech.whisper_engine import WhisperRecognizer, whisper_language
from tests.speech.whisper_model import FILES, MODEL_BIN_BYTES

pytestmark = pytest.mark.slow

ENGLISH = ("yes", "no", "book an appointment", "number three", "repeat")
NORWEGIAN = ("ja", "nei", "bestill time", "gjenta")
VARIANTS = ((), ("-s", "130"), ("+f3",), ("+m3",))
"""espeak-ng voice variations: as given, slower, a female and another male variant."""
TRAILING_SILENCE_S = 1.0


@pytest.fixture(scope="module")
def english(whisper_dir: Path) -> Iterator[WhisperRecognizer]:
    with WhisperRecognizer(whisper_dir, "en") as recognizer:
        yield recognizer


@pytest.fixture(scope="module")
def norwegian(whisper_dir: Path) -> Iterator[WhisperRecognizer]:
    with WhisperRecognizer(whisper_dir, "nb") as recognizer:
        yield recognizer


def speak(text: str, voice: str, options: tuple[str, ...] = (), *, tmp: Path) -> bytes:
    """espeak-ng's speech (22050 Hz) as 16 kHz mono int16 PCM, by linear interpolation."""
    wav = tmp / "speech.wav"
    variant = "".join(o for o in options if o.startswith("+"))
    flags = [o for o in options if not o.startswith("+")]
    subprocess.run(["espeak-ng", "-v", voice + variant, *flags, "-w", str(wav), text],
                   check=True)
    with wave.open(str(wav), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        rate = reader.getframerate()
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    times = np.arange(len(samples) * SAMPLE_RATE // rate) * rate / SAMPLE_RATE
    resampled = np.interp(times, np.arange(len(samples)), samples.astype(np.float64))
    return np.round(resampled).astype("<i2").tobytes()


def white_noise(amplitude: float, seed: int, seconds: float = 2.0) -> bytes:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, amplitude, int(seconds * SAMPLE_RATE))
    return np.clip(noise, -32768, 32767).astype("<i2").tobytes()


def listen(recognizer: WhisperRecognizer, audio: bytes) -> list[Heard]:
    """Feed audio in 100 ms blocks, with silence before and after; everything heard."""
    audio = bytes(BLOCK_BYTES * 3) + audio + bytes(int(TRAILING_SILENCE_S * SAMPLE_RATE) * 2)
    heard = [recognizer.accept(audio[i:i + BLOCK_BYTES]) for i in range(0, len(audio), BLOCK_BYTES)]
    recognizer.reset()
    return [h for h in heard if h is not None]


def commands_in(heard: list[Heard]) -> list[str]:
    return [h.command for h in heard if h.command is not None]


def score(recognizer: WhisperRecognizer, commands: tuple[str, ...], voice: str,
          tmp: Path) -> tuple[int, list[tuple[str, list[Heard]]]]:
    """Say every command in every variant; (how many were heard right, the wrong ones)."""
    recognizer.set_commands(commands)
    right, missed = 0, []
    for options in VARIANTS:
        for command in commands:
            heard = listen(recognizer, speak(command, voice, options, tmp=tmp))
            if commands_in(heard) == [command]:
                right += 1
            else:
                missed.append((command, heard))
    return right, missed


def test_the_joined_model_folder(whisper_dir: Path) -> None:
    assert (whisper_dir / "model.bin").stat().st_size == MODEL_BIN_BYTES
    assert all((whisper_dir / name).is_file() for name in FILES)


def test_english_commands(english: WhisperRecognizer, tmp_path: Path) -> None:
    right, missed = score(english, ENGLISH, "en", tmp_path)
    # Measured: 20 of 20. A miss must be a rejection, never another command.
    assert right >= 18, missed
    assert all(not commands_in(heard) for _, heard in missed), missed


def test_norwegian_commands_with_the_language_forced(norwegian: WhisperRecognizer,
                                                     tmp_path: Path) -> None:
    right, missed = score(norwegian, NORWEGIAN, "nb", tmp_path)
    # Measured: 7 of 16 (see the module notes). What matters most: no wrong command.
    assert right >= 6, missed
    assert all(not commands_in(heard) for _, heard in missed), missed
    norwegian.set_commands(NORWEGIAN)
    assert commands_in(listen(norwegian, speak("bestill time", "nb", tmp=tmp_path))) == [
        "bestill time"]


def test_silence_is_never_heard(english: WhisperRecognizer) -> None:
    english.set_commands(ENGLISH)
    assert listen(english, bytes(5 * SAMPLE_RATE * 2)) == []


@pytest.mark.parametrize("amplitude", [300.0, 3000.0, 10000.0])
def test_white_noise_is_no_command(english: WhisperRecognizer, norwegian: WhisperRecognizer,
                                   amplitude: float) -> None:
    english.set_commands(ENGLISH)
    norwegian.set_commands(NORWEGIAN)
    for seed in range(3):
        assert commands_in(listen(english, white_noise(amplitude, seed))) == []
        assert commands_in(listen(norwegian, white_noise(amplitude, seed))) == []


def test_english_on_a_norwegian_screen_is_no_command(norwegian: WhisperRecognizer,
                                                     tmp_path: Path) -> None:
    norwegian.set_commands(NORWEGIAN)
    for sentence in ("yes", "book an appointment", "I would like to see a doctor",
                     "where is the pharmacy"):
        heard = listen(norwegian, speak(sentence, "en", tmp=tmp_path))
        assert commands_in(heard) == [], heard


def test_other_speech_is_heard_but_is_no_command(english: WhisperRecognizer,
                                                 tmp_path: Path) -> None:
    english.set_commands(ENGLISH)
    # Sentences holding a command word, a near miss, a command with a word more. (A homophone,
    # "know" for "no", does become the command: measured, and no matcher can tell.)
    for sentence in ("I do not know what to say", "yes I think I would like to book something",
                     "number four", "yes please"):
        heard = listen(english, speak(sentence, "en", tmp=tmp_path))
        assert heard, "speech must give a Heard (with its text) even when it is no command"
        assert commands_in(heard) == [], heard


def test_a_long_utterance_is_cut_at_15_seconds(english: WhisperRecognizer,
                                                tmp_path: Path) -> None:
    english.set_commands(ENGLISH)
    talk = speak("I would like to see a doctor about the pain in my knee " * 9, "en",
                 ("-s", "200"), tmp=tmp_path)
    assert len(talk) > 18 * SAMPLE_RATE * 2
    # Waiting in silence first does not count toward the limit.
    audio = bytes(20 * SAMPLE_RATE * 2) + talk
    heard_at = [i for i in range(0, len(audio), BLOCK_BYTES)
                if english.accept(audio[i:i + BLOCK_BYTES]) is not None]
    english.reset()
    assert heard_at
    assert 14.0 <= heard_at[0] / (SAMPLE_RATE * 2) - 20 <= 15.5


def test_nothing_is_heard_without_commands(english: WhisperRecognizer, tmp_path: Path) -> None:
    english.set_commands([])
    assert listen(english, speak("yes", "en", tmp=tmp_path)) == []


def test_new_commands_drop_the_utterance_in_progress(english: WhisperRecognizer,
                                                     tmp_path: Path) -> None:
    english.set_commands(ENGLISH)
    audio = speak("repeat", "en", tmp=tmp_path)
    for i in range(0, len(audio), BLOCK_BYTES):
        assert english.accept(audio[i:i + BLOCK_BYTES]) is None
    english.set_commands(("repeat", "help"))
    assert listen(english, b"") == []


def test_norwegian_codes_map_to_whisper() -> None:
    assert whisper_language("nb") == "no"
    assert whisper_language("nn") == "no"
    assert whisper_language("en") == "en"
    assert whisper_language("pt-BR") == "pt"


def test_a_language_whisper_does_not_know(whisper_dir: Path) -> None:
    with pytest.raises(ModelError, match="cannot recognise 'se'"):
        WhisperRecognizer(whisper_dir, "se")


def test_missing_or_damaged_models(whisper_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no complete Whisper"):
        WhisperRecognizer(tmp_path / "nowhere", "en")
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    for name in ("model.bin", "config.json", "vocabulary.json"):
        (incomplete / name).symlink_to(whisper_dir / name)
    # Without tokenizer.json faster-whisper would download one: refused before loading.
    with pytest.raises(ModelError, match=r"missing tokenizer\.json"):
        WhisperRecognizer(incomplete, "en")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in FILES:
        (damaged / name).symlink_to(whisper_dir / name)
    with open(whisper_dir / "model.bin", "rb") as whole:
        (damaged / "model.bin").write_bytes(whole.read(1 << 20))
    with pytest.raises(ModelError, match="did not load"):
        WhisperRecognizer(damaged, "en")


def test_closed_twice(whisper_dir: Path) -> None:
    recognizer = WhisperRecognizer(whisper_dir, "en")
    recognizer.close()
    recognizer.close()
    with pytest.raises(RuntimeError):
        recognizer.accept(bytes(BLOCK_BYTES))
