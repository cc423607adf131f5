"""A citizen who cannot see or type: the kiosk's own words out, the citizen's spoken words in,
through the real Whisper model (multilingual whisper-base, installed with `kiosk models add`'s
code) and espeak-ng speech played as a microphone would. No key is pressed and no tile touched;
the phone approves sign-in as a citizen's phone does. What is asserted is what the kiosk said
and what the health service holds afterwards."""

from __future__ import annotations

import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from hardware.audio import LISTENING_SOUND_S, FileSink
from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from speech.engines import open_model
from speech.models import add_model
from tests.voice_kit import Citizen, PlayedSource, model_ready, spoken
from translations.catalog import Localizer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Path:
    """whisper-base installed for English, as `kiosk models add` installs it."""
    models = tmp_path_factory.mktemp("voice") / "models"
    add_model(whisper_dir, "en", models, load=open_model)
    return models


@pytest.fixture
def heard_by(make_runtime: Callable[..., Runtime], models_dir: Path,
             tmp_path: Path) -> tuple[Runtime, PlayedSource]:
    source = PlayedSource()
    runtime = make_runtime(open_source=lambda: source, voice_input="always",
                           default_language="en", models_dir=models_dir)
    return runtime, source


async def test_booking_an_appointment_by_voice_alone(
    kd: SimpleNamespace, heard_by: tuple[Runtime, PlayedSource], tmp_path: Path
) -> None:
    runtime, source = heard_by
    app = KioskApp(runtime)
    assert runtime.demo is not None and runtime.listener is not None
    booked_before = len(runtime.demo.appointments())
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "en")
        await kd.wait_until(pilot, lambda: bool(kd.view(app).query("#voice-hint")),
                            "the promise that it listens")
        citizen = Citizen(kd, pilot, runtime, source, tmp_path / "said", "en")
        name = lambda: kd.screen_name(app)  # noqa: E731
        spoken_as_shown = lambda: citizen.last_said() == kd.view(app).speech_text()  # noqa: E731

        await citizen.says("Start", lambda: name() == "LanguageView", "the languages")
        await citizen.says("English", lambda: name() == "MenuView", "the menu")
        await citizen.says("Number one", lambda: name() == "StepView", "the appointment guide")
        await citizen.says("Book a new appointment", lambda: name() == "SignInView",
                           "the sign-in")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: kd.step_kind(app) == "choice"
                            and kd.view(app).runner.step.id == "book_mode", "how to meet")
        await citizen.says("At the GP office", lambda: kd.step_kind(app) == "slot"
                           and bool(kd.view(app).query("#option-1")), "the free times")
        first_time = str(kd.view(app).query_one("#option-1").text)
        await citizen.says("Number one", lambda: kd.step_kind(app) == "confirm"
                           and spoken_as_shown(), "the question")
        assert first_time in citizen.last_said()
        await citizen.says("Yes", lambda: name() == "FinishView" and spoken_as_shown(),
                           "the booking's end, said")
        assert "is booked for" in citizen.last_said()
        # Done ends the visit: said by voice, it is asked back first.
        await citizen.says("Done", lambda: name() == "VoiceConfirmScreen" and spoken_as_shown(),
                           "did I hear you right")
        assert "You said: Done" in citizen.last_said()
        await citizen.says("Yes", lambda: name() == "IdleView", "the next citizen's welcome")
        assert citizen.repeats <= 2, "the kiosk misheard more than twice in one visit"
    booked = [a for a in runtime.demo.appointments() if a["status"] == "booked"
              and a["participant"][0]["actor"]["reference"] == "Patient/kari"]
    assert len(runtime.demo.appointments()) == booked_before + 1
    assert any(Localizer("en").when(datetime.fromisoformat(a["start"])) in first_time
               for a in booked)


async def test_reporting_a_blood_pressure_by_voice_alone(
    kd: SimpleNamespace, heard_by: tuple[Runtime, PlayedSource], tmp_path: Path
) -> None:
    runtime, source = heard_by
    app = KioskApp(runtime)
    assert runtime.demo is not None and runtime.listener is not None
    before = {o["id"] for o in runtime.demo.resources("Observation")}
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "en")
        citizen = Citizen(kd, pilot, runtime, source, tmp_path / "said", "en")
        name = lambda: kd.screen_name(app)  # noqa: E731
        step = lambda: kd.view(app).runner.step.id if name() == "StepView" else None  # noqa: E731

        await citizen.says("Start", lambda: name() == "LanguageView", "the languages")
        await citizen.says("English", lambda: name() == "MenuView", "the menu")
        while not kd.view(app).query("#guide-measurements"):
            await citizen.says("More tasks", lambda: not kd.view(app).query("#guide-appointment"),
                               "the next page of tasks")
        await citizen.says("Report a measurement to my GP office",
                           lambda: name() == "SignInView", "the sign-in")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: step() == "kind", "what to report")
        await citizen.says("Blood pressure", lambda: step() == "systolic", "the upper number")
        await citizen.says("One hundred and forty", lambda: step() == "diastolic",
                           "the lower number")
        await citizen.says("Ninety", lambda: step() == "confirm_blood_pressure"
                           and citizen.last_said() == kd.view(app).speech_text(), "the question")
        assert "blood pressure 140 over 90" in citizen.last_said()
        await citizen.says("Yes", lambda: name() == "FinishView", "sent")
    (stored,) = [o for o in runtime.demo.resources("Observation")
                 if o["subject"]["reference"] == "Patient/kari" and o["id"] not in before]
    assert [c["valueQuantity"]["value"] for c in stored["component"]] == [140, 90]


def seconds(clip: Path) -> float:
    with wave.open(str(clip)) as played:
        return played.getnframes() / played.getframerate()


def noise(folder: Path, seconds: float = 2.0) -> Path:
    """White noise as loud as speech (a fan, a busy pharmacy)."""
    import random
    import wave

    rng = random.Random(7)
    path = folder / "noise.wav"
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"".join(rng.randint(-6000, 6000).to_bytes(2, "little", signed=True)
                                 for _ in range(int(16000 * seconds))))
    return path


async def test_silence_noise_and_another_language_do_nothing(
    kd: SimpleNamespace, heard_by: tuple[Runtime, PlayedSource], tmp_path: Path
) -> None:
    runtime, source = heard_by
    app = KioskApp(runtime)
    assert runtime.listener is not None
    folder = tmp_path / "said"
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "en")
        await kd.open_task(pilot, "appointment")
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        for step_id, keys in (("book_mode", ()), ("confirm", ("1", "1"))):
            for key in keys:
                await pilot.press(key)
                await kd.settle(pilot)
            await kd.wait_until(pilot, lambda s=step_id: kd.view(app).runner.step.id.startswith(s)
                                or kd.step_kind(app) == s, step_id)
            shown = kd.view(app).runner.step.id
            for clip in (noise(folder), spoken("Jeg vil gjerne bestille en time hos legen.",
                                                 "nb", folder)):
                source.play(clip)
                await kd.wait_until(pilot, source.played.is_set, "the clip played",
                                    attempts=1500)
                await kd.settle(pilot)
                await pilot.pause(1.5)  # what Whisper takes for a phrase, at most
            # Silence: nothing at all for a while.
            await pilot.pause(1.0)
            assert kd.screen_name(app) == "StepView"
            assert kd.view(app).runner.step.id == shown


async def test_push_to_talk_listens_only_after_the_talk_key(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime], models_dir: Path,
    tmp_path: Path
) -> None:
    source = PlayedSource()
    runtime = make_runtime(open_source=lambda: source, voice_input="push",
                           default_language="en", models_dir=models_dir,
                           speech=True, audio_output=f"file:{tmp_path / 'out'}")
    app = KioskApp(runtime)
    assert runtime.listener is not None
    folder = tmp_path / "said"
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "en")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Press F5, then say the words"),
                            "the promise, as push-to-talk")
        source.play(spoken("Start", "en", folder))
        await kd.wait_until(pilot, source.played.is_set, "the clip played", attempts=1500)
        await pilot.pause(1.5)
        assert kd.screen_name(app) == "IdleView"
        await pilot.press("f5")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Listening"), "listening shown")
        # ...and heard: a short beep says "speak now" (the listener is deaf while it plays).
        assert isinstance(runtime.output, FileSink)
        assert any(seconds(clip) == pytest.approx(LISTENING_SOUND_S, abs=0.01)
                   for clip in runtime.output.played), "no listening sound"
        source.play(spoken("Start", "en", folder))
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView",
                            "the visit begun by voice", attempts=1500)
        # The language screen says in which languages an answer may be spoken.
        labels = {o.value: o.label for o in kd.view(app).offers()}
        assert labels["en"].endswith("(you can answer by voice)")
        assert "voice" not in labels["nb"]


async def test_a_message_to_the_gp_office_by_dictation_read_back_before_it_is_sent(
    kd: SimpleNamespace, heard_by: tuple[Runtime, PlayedSource], tmp_path: Path
) -> None:
    runtime, source = heard_by
    app = KioskApp(runtime)
    assert runtime.demo is not None and runtime.listener is not None
    before = {c["id"] for c in runtime.demo.resources("Communication")}
    async with app.run_test(size=kd.SIZE) as pilot:
        await model_ready(kd, pilot, runtime, "en")
        citizen = Citizen(kd, pilot, runtime, source, tmp_path / "said", "en")
        name = lambda: kd.screen_name(app)  # noqa: E731
        step = lambda: kd.view(app).runner.step.id if name() == "StepView" else None  # noqa: E731

        await citizen.says("Start", lambda: name() == "LanguageView", "the languages")
        await citizen.says("English", lambda: name() == "MenuView", "the menu")
        await citizen.says("Message my GP office", lambda: name() == "SignInView", "sign-in")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: step() == "what", "write or read")
        await citizen.says("Write a message", lambda: step() == "write", "the message")
        await citizen.says("I need a new prescription for my blood pressure pills.",
                           lambda: name() == "VoiceConfirmScreen"
                           and citizen.last_said() == kd.view(app).speech_text(),
                           "the message read back")
        said_back = citizen.last_said()
        assert said_back.startswith("You said: ") and "prescription" in said_back.lower()
        assert kd.view(app).private  # a message is personal: read back into a headset only
        await citizen.says("Yes", lambda: kd.step_kind(app) == "confirm", "send it?")
        await citizen.says("Yes", lambda: name() == "FinishView", "sent")
    (sent,) = [c for c in runtime.demo.resources("Communication") if c["id"] not in before]
    text = sent["payload"][0]["contentString"]
    assert "prescription" in text.lower() and text in said_back
