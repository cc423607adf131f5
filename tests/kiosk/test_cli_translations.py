"""`kiosk translations add|list` as an operator uses them: a tiny Argos package (built by the
test, no download) is installed, listed with Apertium's pairs and the routes the GP office's
words take; a second copy, a broken file and a package that does not translate are refused."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.translations.tiny_argos import build_argosmodel

os.environ.setdefault("ARGOS_COMPUTE_TYPE", "float32")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HELSELOS_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def test_add_then_list(state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = build_argosmodel(tmp_path, "en", "nb")
    assert main(["translations", "add", str(package)]) == 0
    assert "installed Argos pair en->nb" in capsys.readouterr().out
    assert main(["translations", "list"]) == 0
    listed = capsys.readouterr().out
    assert "argos     en->nb" in listed
    assert "en->nb: argos en->nb" in listed  # a citizen writing English reaches the office
    assert main(["translations", "add", str(package)]) == 2
    assert "installed already" in capsys.readouterr().err
    assert main(["translations", "add", str(package), "--replace"]) == 0


def test_a_package_that_does_not_translate_is_not_installed(
        state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = build_argosmodel(tmp_path, "en", "pl")
    broken = tmp_path / "broken.argosmodel"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            # A model file cut short: it unpacks, but cannot load.
            target.writestr(item, data[:100] if item.filename.endswith("model.bin") else data)
    assert main(["translations", "add", str(broken)]) == 2
    assert "does not translate" in capsys.readouterr().err
    assert not (state / "argos" / "packages" / "translate-en_pl").exists()
    (tmp_path / "empty.argosmodel").write_bytes(b"")
    assert main(["translations", "add", str(tmp_path / "empty.argosmodel")]) == 2
