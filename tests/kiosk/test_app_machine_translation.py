"""Machine translation through the real app, demo service and sign-in, by keys only, in Norsk
bokmål: with Argos pairs between the practice office's language (English) and bokmål installed
(tiny packages the test builds; their words are gibberish), the GP office's reply is shown and
said labelled "Maskinoversatt", the original is one key away and back; the citizen's own
message reaches the server as written, with a labelled English translation under it. While a
translation works, "Translating…" is shown and said where "Working…" was."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from tests.kiosk.test_app_guide_messages import finish, keys, sent_by_kari
from tests.translations.tiny_argos import build_argosmodel
from translations.mt_argos import Argos, add_package

os.environ.setdefault("ARGOS_COMPUTE_TYPE", "float32")

REPLY = "Take it with water, and wait 30 minutes before coffee or breakfast."
"""The start of the demo office's reply to Kari (kiosk/demo/seed.yaml)."""
MESSAGE = "Kan sykepleieren ringe meg i dag?"
NORSK = "1"
"""The language screen's key for Norsk bokmål."""


async def open_messages(kd: SimpleNamespace, pilot: Any) -> None:
    await kd.open_task(pilot, "messages", language_key=NORSK)
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")


@pytest.fixture
def runtime(make_runtime: Callable[..., Runtime], tmp_path: Path) -> Runtime:
    for n, pair in enumerate([("nb", "en"), ("en", "nb")]):
        add_package(build_argosmodel(tmp_path, *pair, seed=n), tmp_path / "state")
    return make_runtime()


async def test_the_office_reply_is_labelled_with_the_original_one_key_away(
        kd: SimpleNamespace, app: KioskApp, runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("2")
        await kd.at_step(pilot, "list")
        spoken = kd.view(app).speech_text()
        assert "Maskinoversatt: " in spoken and REPLY not in spoken
        assert kd.shows(app, "Maskinoversatt:")
        # The citizen's own message is theirs: shown as written, never translated.
        assert "Can I take my thyroid tablet together with coffee?" in spoken
        next_label = kd.view(app).l10n.gettext("Next")
        assert [(o.key, o.label) for o in kd.view(app).offers()] == [
            (1, next_label), (2, "Vis originalen")]
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Vis oversettelsen"), "original")
        spoken = kd.view(app).speech_text()
        assert REPLY in spoken and "Maskinoversatt" not in spoken
        await pilot.press("2")
        await kd.wait_until(pilot, lambda: kd.shows(app, "Vis originalen"), "translation")
        assert "Maskinoversatt: " in kd.view(app).speech_text()
        cached = list(runtime.session.translated)
        assert [key[1:] for key in cached] == [("en", "nb")], "translated once, this visit"
        await pilot.press("1")
        await finish(kd, pilot)
    assert runtime.session.translated == {}, "wiped with the visit"


async def test_translating_is_shown_and_said_while_the_translation_works(
        kd: SimpleNamespace, app: KioskApp, runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = Argos.translate

    def slow(self: Argos, text: str, source: str, target: str) -> str:
        release.wait(10)  # a real model takes a while; this one waits for the test
        return real(self, text, source, target)

    monkeypatch.setattr(Argos, "translate", slow)
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("2")
        translating = kd.view(app).l10n.gettext("Translating…")
        assert translating == "Oversetter…"
        await kd.wait_until(pilot, lambda: kd.shows(app, translating), "Translating… shown")
        # Said as the screen is (the messages step is private: into a headset only).
        await kd.wait_until(pilot, lambda: translating in (runtime.voice.last_text or ""),
                            "Translating… said")
        release.set()
        await kd.at_step(pilot, "list")
        assert not kd.shows(app, translating)
        assert "Maskinoversatt: " in kd.view(app).speech_text()
        await pilot.press("1")
        await finish(kd, pilot)


@pytest.mark.slow
async def test_the_sent_message_carries_the_original_and_a_labelled_translation(
        kd: SimpleNamespace, app: KioskApp, runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("1")
        await kd.at_step(pilot, "text")
        await pilot.press(*keys(MESSAGE), "enter")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        await finish(kd, pilot)
    (sent,) = sent_by_kari(runtime)
    original, translated = (part["contentString"] for part in sent["payload"])
    assert original == MESSAGE
    assert translated.startswith("Machine-translated from Norwegian Bokmål: ")
    assert translated != f"Machine-translated from Norwegian Bokmål: {MESSAGE}"
