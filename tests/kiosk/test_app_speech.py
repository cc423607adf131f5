"""Speech follows the screen and its language: real espeak-ng through pyttsx3 into a FileSink.
What is spoken is exactly what the screen shows."""

from __future__ import annotations

import array
import asyncio
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hardware.audio import FileSink
from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime


def loudest_sample(path: Path) -> int:
    with wave.open(str(path), "rb") as clip:
        assert clip.getsampwidth() == 2
        samples = array.array("h", clip.readframes(clip.getnframes()))
    return max((abs(s) for s in samples), default=0)


async def heard(kd: SimpleNamespace, pilot: Any, runtime: Runtime, clock: ManualClock,
                lang: str) -> None:
    """Let the voice finish (the file sink's clips last as long as the manual clock says),
    then check it said exactly what the screen shows, in the screen's language."""
    await pilot.pause()
    for _ in range(60):
        if await asyncio.to_thread(runtime.voice.wait_idle, 0.2):
            break
        clock.advance(1)
    else:
        raise AssertionError("the voice never finished")
    app = pilot.app
    text = kd.view(app).speech_text()
    assert text
    assert kd.shows(app, text)
    assert runtime.voice.last_text == text
    assert runtime.voice.last_lang == lang
    sink = runtime.output
    assert isinstance(sink, FileSink)
    assert sink.played, "nothing reached the audio output"
    assert loudest_sample(sink.played[-1]) > 1000, "the last clip is silent"


@pytest.mark.slow
async def test_speech_follows_the_screen_and_the_language(
    kd: SimpleNamespace, make_runtime: Any, clock: ManualClock, tmp_path: Path
) -> None:
    runtime = make_runtime(speech=True, audio_output=f"file:{tmp_path / 'audio'}")
    assert runtime.speech_problem is None
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await heard(kd, pilot, runtime, clock, "nb")
        await kd.open_guide(pilot, language_key="1")
        await heard(kd, pilot, runtime, clock, "nb")
        norwegian_step = kd.view(app).speech_text()

        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        await pilot.click("#change-language")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView", "languages")
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "menu in en")
        # Back past the menu ends the visit: the Welcome screen is the next citizen's, in the
        # kiosk's own language again.
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "idle")
        await heard(kd, pilot, runtime, clock, "nb")

        await kd.open_guide(pilot, language_key="2")
        await heard(kd, pilot, runtime, clock, "en")
        assert kd.view(app).speech_text() != norwegian_step
