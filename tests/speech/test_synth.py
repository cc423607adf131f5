"""Real espeak-ng synthesis through pyttsx3: audible, plausible, silent on stdout, strict voices."""

from __future__ import annotations

import array
import math
import stat
import sys
import threading
import wave
from pathlib import Path

import pytest

from speech.synth import NoVoice, SynthError, Synthesizer

NB_TEXT = "Velkommen. Trykk på knappen for å bestille time hos fastlegen."
EN_TEXT = "Welcome. Press the button to book an appointment with your doctor."


def read_samples(path: Path) -> tuple[array.array[int], float]:
    """Samples and duration in seconds of a 16-bit mono 22050 Hz WAV."""
    with wave.open(str(path), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1, 2, 22050)
        data = array.array("h")
        data.frombytes(reader.readframes(reader.getnframes()))
        seconds = reader.getnframes() / reader.getframerate()
    if sys.byteorder == "big":
        data.byteswap()
    return data, seconds


def rms(data: array.array[int]) -> float:
    return math.sqrt(sum(s * s for s in data) / len(data))


def envelope(data: array.array[int], step: int = 220) -> list[float]:
    """Loudness every 10 ms."""
    return [rms(data[i:i + step]) for i in range(0, len(data) - step, step)]


def distance(a: array.array[int], b: array.array[int]) -> float:
    """How unlike two short utterances sound, from their loudness envelopes: under 0.1 for the
    same text and voice, about 0.3 or more for another text or voice. Audio is never
    byte-identical: espeak-ng adds random noise to breath and fricatives."""
    x, y = envelope(a), envelope(b)
    m, top = min(len(x), len(y)), max(*x, *y)
    shape = sum(abs(p - q) for p, q in zip(x[:m], y[:m], strict=False)) / m / top
    return shape + abs(len(x) - len(y)) / max(len(x), len(y))


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "text"), [("nb", NB_TEXT), ("en", EN_TEXT)])
def test_speech_is_audible_and_as_long_as_the_text(
    synth: Synthesizer, lang: str, text: str
) -> None:
    path = synth.synthesize(text, lang)
    data, seconds = read_samples(path)
    assert rms(data) > 500
    assert 0.03 * len(text) < seconds < 0.2 * len(text)
    assert path.parent == synth.directory


@pytest.mark.slow
def test_different_text_and_different_voice_give_different_audio(synth: Synthesizer) -> None:
    first, _ = read_samples(synth.synthesize("Hei, hvordan har du det?", "nb"))
    again, _ = read_samples(synth.synthesize("Hei, hvordan har du det?", "nb"))
    other, _ = read_samples(synth.synthesize("Ha det bra, vi sees i morgen.", "nb"))
    english, _ = read_samples(synth.synthesize("Hei, hvordan har du det?", "en"))
    assert distance(first, again) < 0.18
    assert distance(first, other) > 0.25
    # espeak silently keeps the previous voice on a bad name: this shows the switch happened.
    assert distance(first, english) > 0.25


@pytest.mark.slow
def test_slower_rate_gives_longer_audio(synth: Synthesizer) -> None:
    _, slow = read_samples(synth.synthesize(EN_TEXT, "en", rate=100))
    _, fast = read_samples(synth.synthesize(EN_TEXT, "en", rate=250))
    assert slow > 1.5 * fast


@pytest.mark.slow
def test_nothing_reaches_stdout_during_synthesis(
    synth: Synthesizer, capfd: pytest.CaptureFixture[str]
) -> None:
    synth.synthesize("Ingenting skal skrives til skjermen.", "nb")
    out, err = capfd.readouterr()
    assert out == ""
    assert "Audio saved" not in err


@pytest.mark.slow
def test_unknown_language_is_no_voice(synth: Synthesizer) -> None:
    with pytest.raises(NoVoice, match="'xx'") as caught:
        synth.synthesize("Hello", "xx")
    assert caught.value.lang == "xx"
    assert not synth.has_voice("xx")
    assert synth.has_voice("nb") and synth.has_voice("en")


@pytest.mark.slow
def test_a_voice_espeak_lacks_is_refused_not_silently_replaced() -> None:
    voices = {"nb": "nb", "en": "en", "se": "se-north-sami-does-not-exist"}
    with Synthesizer(voice_for=voices.__getitem__) as synth:
        assert {"nb", "en", "gmq/nb", "gmw/en"} <= synth.voices()
        assert "se-north-sami-does-not-exist" not in synth.voices()
        with pytest.raises(NoVoice, match="espeak-ng has no voice"):
            synth.synthesize("Buorre beaivi", "se")
        with pytest.raises(NoVoice):
            synth.synthesize("Hello", "fr")
        assert synth.synthesize("Hei", "nb").is_file()


@pytest.mark.slow
def test_bad_requests_are_refused(synth: Synthesizer) -> None:
    with pytest.raises(ValueError, match="no text"):
        synth.synthesize("   ", "nb")
    with pytest.raises(ValueError, match="words per minute"):
        synth.synthesize("Hei", "nb", rate=5)


@pytest.mark.slow
def test_two_synthesizers_on_many_threads_share_the_engine_safely(synth: Synthesizer) -> None:
    texts = {"nb": "Hei, hvordan har du det?", "en": "Good morning, nice to see you."}
    with Synthesizer() as other:
        expected = {lang: read_samples(synth.synthesize(text, lang))[0]
                    for lang, text in texts.items()}
        results: list[tuple[str, array.array[int]]] = []
        errors: list[BaseException] = []

        def work(which: Synthesizer, lang: str) -> None:
            try:
                for _ in range(3):
                    results.append((lang, read_samples(which.synthesize(texts[lang], lang))[0]))
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=(s, lang)) for s in (synth, other) for lang in texts
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert len(results) == 12
        for lang, data in results:
            assert distance(data, expected[lang]) < 0.18
            assert distance(data, expected["en" if lang == "nb" else "nb"]) > 0.25


@pytest.mark.slow
def test_clear_and_close_remove_the_audio() -> None:
    synth = Synthesizer()
    assert stat.S_IMODE(synth.directory.stat().st_mode) == 0o700
    first = synth.synthesize("Kari Nordmann", "nb")
    synth.clear()
    assert not first.exists()
    synth.synthesize("Kari Nordmann", "nb")
    synth.close()
    assert not synth.directory.exists()
    with pytest.raises(SynthError, match="closed"):
        synth.synthesize("Hei", "nb")
    synth.close()
