"""The Voice with real espeak-ng into a FileSink: privacy, interruption, repeat, reset, captions."""

from __future__ import annotations

import array
import math
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hardware.audio import FileSink
from kiosk.clock import ManualClock
from speech.synth import Synthesizer
from speech.voice import PRIVATE_NOTICE, Voice

NB_NOTICE = "Dette er privat. Koble til hodetelefoner for å høre det."
SECRET = "Kari Nordmann, time hos fastlegen tirsdag klokka ti."


def rms(path: Path) -> float:
    with wave.open(str(path), "rb") as reader:
        data = array.array("h")
        data.frombytes(reader.readframes(reader.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return math.sqrt(sum(s * s for s in data) / len(data))


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until predicate holds; fail rather than hang when it never does."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.005)


def translate(msgid: str, lang: str) -> str:
    return NB_NOTICE if (msgid, lang) == (PRIVATE_NOTICE, "nb") else msgid


class Events:
    """Collects on_event calls and the threads they came from."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.threads: set[str] = set()

    def __call__(self, kind: str, text: str) -> None:
        self.seen.append((kind, text))
        self.threads.add(threading.current_thread().name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sink(tmp_path: Path, clock: ManualClock) -> FileSink:
    return FileSink(tmp_path / "played", clock)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def voice(synth: Synthesizer, sink: FileSink, events: Events) -> Iterator[Voice]:
    spoken = Voice(synth, sink, translate=translate, on_event=events)
    yield spoken
    spoken.close()


def finish(voice: Voice, sink: FileSink, clock: ManualClock, clips: int) -> None:
    """Wait for the nth clip to reach the sink, let it play out, wait for the voice to settle."""
    wait_until(lambda: len(sink.played) >= clips)
    clock.advance(600)
    assert voice.wait_idle(30)


@pytest.mark.slow
def test_say_returns_at_once_and_speaks_in_the_background(
    voice: Voice, sink: FileSink, clock: ManualClock, events: Events, synth: Synthesizer
) -> None:
    before = set(synth.directory.glob("*.wav"))
    voice.say("Velkommen til Helselos.", "nb")
    wait_until(lambda: len(sink.played) == 1)
    # The sink's clock is frozen, so the clip is still "playing": the voice is busy.
    assert not voice.wait_idle(0.05)
    assert sink.is_playing()
    clock.advance(600)
    assert voice.wait_idle(30)
    assert rms(sink.played[0]) > 500
    assert voice.spoken == ["Velkommen til Helselos."]
    assert events.seen == [("speaking", "Velkommen til Helselos."),
                           ("done", "Velkommen til Helselos.")]
    assert events.threads == {"voice"}
    assert set(synth.directory.glob("*.wav")) == before, "synthesized audio is deleted after play"


@pytest.mark.slow
def test_private_text_is_replaced_on_the_speaker(
    voice: Voice, sink: FileSink, clock: ManualClock, events: Events
) -> None:
    voice.say(SECRET, "nb", private=True)
    finish(voice, sink, clock, 1)
    assert voice.spoken == [NB_NOTICE]
    assert SECRET not in [text for _, text in events.seen]
    assert voice.last_text == SECRET, "kept for repeat(), which masks again"
    voice.repeat()
    finish(voice, sink, clock, 2)
    assert voice.spoken == [NB_NOTICE, NB_NOTICE]


@pytest.mark.slow
def test_private_text_is_spoken_into_a_headset(
    voice: Voice, sink: FileSink, clock: ManualClock
) -> None:
    sink.set_route("headset")
    voice.say(SECRET, "nb", private=True)
    finish(voice, sink, clock, 1)
    assert voice.spoken == [SECRET]
    sink.set_route("speaker")
    voice.say(SECRET, "en", private=True)
    finish(voice, sink, clock, 2)
    assert voice.spoken == [SECRET, PRIVATE_NOTICE], "untranslated notice falls back to English"


@pytest.mark.slow
def test_a_new_say_stops_the_one_playing(
    voice: Voice, sink: FileSink, clock: ManualClock, events: Events
) -> None:
    voice.say("Dette er en lang forklaring som ingen vil høre ferdig.", "nb")
    wait_until(lambda: len(sink.played) == 1)
    # The clock is frozen: the first clip would play forever unless say() stops it.
    voice.say("Neste side.", "nb")
    finish(voice, sink, clock, 2)
    assert voice.spoken == ["Dette er en lang forklaring som ingen vil høre ferdig.",
                            "Neste side."]
    assert [kind for kind, _ in events.seen] == ["speaking", "done", "speaking", "done"]


@pytest.mark.slow
def test_stale_requests_are_dropped_and_the_tone_is_not_cut(
    voice: Voice, sink: FileSink, clock: ManualClock, events: Events
) -> None:
    voice.tone()
    wait_until(lambda: len(sink.played) == 1)
    voice.say("Første.", "nb")
    voice.say("Andre.", "nb")
    voice.say("Er du der fortsatt?", "nb")
    assert sink.is_playing(), "speech waits for the warning tone"
    clock.advance(1)
    finish(voice, sink, clock, 2)
    assert voice.spoken == ["Er du der fortsatt?"]
    assert events.seen == [("tone", ""), ("speaking", "Er du der fortsatt?"),
                           ("done", "Er du der fortsatt?")]
    assert rms(sink.played[0]) > 1000


@pytest.mark.slow
def test_tone_interrupts_speech(voice: Voice, sink: FileSink, clock: ManualClock) -> None:
    voice.say("Dette blir avbrutt av et pip.", "nb")
    wait_until(lambda: len(sink.played) == 1)
    voice.tone()
    finish(voice, sink, clock, 2)
    with wave.open(str(sink.played[1]), "rb") as reader:
        assert reader.getnframes() == int(22050 * 0.4)


@pytest.mark.slow
def test_stop_silences_without_waiting_for_the_clip(
    voice: Voice, sink: FileSink, events: Events
) -> None:
    voice.say("Dette stoppes.", "nb")
    wait_until(lambda: len(sink.played) == 1)
    voice.stop()
    assert voice.wait_idle(30), "the frozen clock never ends the clip: stop() must"
    assert not sink.is_playing()
    assert events.seen[-1] == ("done", "Dette stoppes.")


@pytest.mark.slow
def test_repeat_says_the_last_text_again(
    voice: Voice, sink: FileSink, clock: ManualClock
) -> None:
    voice.repeat()
    assert voice.wait_idle(30)
    assert sink.played == []
    voice.say("Trykk på grønn knapp.", "nb")
    finish(voice, sink, clock, 1)
    voice.repeat()
    finish(voice, sink, clock, 2)
    assert voice.spoken == ["Trykk på grønn knapp."] * 2
    assert voice.last_lang == "nb"


@pytest.mark.slow
def test_reset_forgets_everything_and_deletes_the_audio(
    voice: Voice, sink: FileSink, clock: ManualClock
) -> None:
    voice.rate = 120
    voice.say(SECRET, "nb")
    finish(voice, sink, clock, 1)
    clip = sink.played[0]
    assert clip.exists()
    voice.reset()
    assert not clip.exists()
    assert list(sink.directory.iterdir()) == []
    assert voice.spoken == []
    assert voice.last_text is None and voice.last_lang is None
    assert voice.rate == 160
    voice.repeat()
    assert voice.wait_idle(30)
    assert sink.played == []


@pytest.mark.slow
def test_volume_is_applied_to_what_is_played(
    voice: Voice, sink: FileSink, clock: ManualClock
) -> None:
    voice.say("Lydstyrke.", "nb")
    finish(voice, sink, clock, 1)
    sink.set_volume(0.3)
    voice.say("Lydstyrke.", "nb")
    finish(voice, sink, clock, 2)
    loud, quiet = rms(sink.played[0]), rms(sink.played[1])
    assert 0.2 * loud < quiet < 0.4 * loud


@pytest.mark.slow
def test_nothing_reaches_stdout_while_speaking(
    voice: Voice, sink: FileSink, clock: ManualClock, capfd: pytest.CaptureFixture[str]
) -> None:
    voice.say("Ingen utskrift.", "nb")
    finish(voice, sink, clock, 1)
    assert capfd.readouterr().out == ""


@pytest.mark.slow
def test_a_language_without_a_voice_is_captioned_only(
    voice: Voice, sink: FileSink, events: Events
) -> None:
    assert voice.has_voice("nb")
    assert not voice.has_voice("xx")
    voice.say("Nabad", "xx")
    assert voice.wait_idle(30)
    assert sink.played == [] and voice.spoken == []
    assert events.seen == [("speaking", "Nabad"), ("done", "Nabad")]


@pytest.mark.parametrize("enabled", [True, False])
def test_without_speech_captions_still_come(tmp_path: Path, enabled: bool) -> None:
    sink = FileSink(tmp_path / "played", ManualClock())
    events = Events()
    voice = Voice(None, sink, on_event=events, enabled=enabled)
    try:
        voice.say(SECRET, "nb", private=True)
        voice.say("Velkommen.", "nb")
        assert voice.wait_idle(30)
        assert sink.played == [] and voice.spoken == []
        assert events.seen[-2:] == [("speaking", "Velkommen."), ("done", "Velkommen.")]
        assert SECRET not in [text for _, text in events.seen]
        assert not voice.has_voice("nb")
    finally:
        voice.close()


@pytest.mark.slow
def test_disabled_voice_plays_nothing(synth: Synthesizer, tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "played", ManualClock())
    events = Events()
    voice = Voice(synth, sink, on_event=events, enabled=False)
    try:
        voice.say("Stille.", "nb")
        assert voice.wait_idle(30)
        assert sink.played == [] and voice.spoken == []
        assert events.seen == [("speaking", "Stille."), ("done", "Stille.")]
    finally:
        voice.close()


def test_a_failing_caption_handler_does_not_stop_speech(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "played", ManualClock())
    calls: list[str] = []

    def broken(kind: str, _text: str) -> None:
        calls.append(kind)
        raise RuntimeError("UI gone")

    voice = Voice(None, sink, on_event=broken)
    try:
        voice.say("En.", "nb")
        voice.say("To.", "nb")
        assert voice.wait_idle(30)
        assert calls[-2:] == ["speaking", "done"]
    finally:
        voice.close()
