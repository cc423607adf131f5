"""Calling staff from the kiosk: F1 (the help control, or a hardware help button that sends it)
chimes and shows "help is on the way" with no network at all; "staff have been notified" comes
only once the test webhook on 127.0.0.1 answered 2xx; cancel is one press; a staff member's
unlock answers the call; nothing about the citizen is posted; the audit log has the call."""

from __future__ import annotations

import asyncio
import json
import wave
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hardware.audio import FileSink
from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.screens.staff_help import CALL_STATUS, HELP_ON_THE_WAY, StaffHelpScreen
from tests.loopback import closed_port_url
from tests.webhook_server import WebhookServer

NOTIFIED = CALL_STATUS["delivered"]


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


def frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as clip:
        return clip.readframes(clip.getnframes())


def letters(text: str) -> str:
    # Wrapping, borders and tiles are not text a citizen reads.
    return "".join(c for c in text if not c.isspace() and not "\u2500" <= c <= "\u259f")


def shows(app: KioskApp, text: str) -> bool:
    """The call dialog draws text (read from its own region: a wrapped line must not be read
    into the view beneath)."""
    dialog = app.screen
    assert isinstance(dialog, StaffHelpScreen)
    return letters(text) in letters(dialog.visible_text())


async def posts(webhook: WebhookServer, count: int) -> list[dict[str, Any]]:
    return await asyncio.to_thread(webhook.wait_for, count)


@pytest.mark.slow
async def test_the_chime_and_the_screen_need_no_network(
    kd: SimpleNamespace, make_runtime: Any, clock: ManualClock, tmp_path: Path
) -> None:
    runtime = make_runtime(speech=True, audio_output=f"file:{tmp_path / 'audio'}",
                           help_webhook_url=closed_port_url() + "/hook")
    sink = runtime.output
    assert isinstance(sink, FileSink)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_menu(pilot)
        before = len(sink.played)
        await pilot.press("f1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StaffHelpScreen", "the call")
        # The chime, at the output's volume, comes first.
        assert len(frames(sink.played[before])) == len(frames(runtime.chime))
        assert shows(app, HELP_ON_THE_WAY)
        retrying = CALL_STATUS["retrying"]
        await kd.wait_until(pilot, lambda: shows(app, retrying), "the call being retried")
        # Said once the chime has rung, with how far the message got.
        await kd.wait_until(pilot, lambda: any(HELP_ON_THE_WAY in said
                                               for said in runtime.voice.spoken), "speech")
        said = next(s for s in runtime.voice.spoken if HELP_ON_THE_WAY in s)
        assert retrying in said and NOTIFIED not in said
        assert len(sink.played) > before + 1
        assert not shows(app, NOTIFIED)
        # One press cancels it, and the kiosk says so.
        await pilot.click("#cancel-call")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu again")
        assert runtime.staff_call.state == "none"
        assert runtime.voice.last_text == "The call for staff is cancelled."
    calls = [(e.staff, e.event) for e in runtime.audit.entries() if e.event.startswith("help_")]
    assert calls == [("citizen", "help_called"), ("citizen", "help_cancelled")]


async def test_staff_are_notified_only_when_the_webhook_answered(
    kd: SimpleNamespace, make_runtime: Any, webhook: WebhookServer, tmp_path: Path
) -> None:
    secret = tmp_path / "webhook-secret"
    secret.write_text("kiosk-7-secret\n", encoding="utf-8")
    runtime = make_runtime(help_webhook_url=webhook.url, help_webhook_secret_file=secret,
                           kiosk_name="Deichman Grünerløkka", kiosk_place="2nd floor")
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.wait_until(pilot, lambda: runtime.session.person is not None, "signed in")
        person = runtime.session.person
        # The webhook is away at first: the screen says so, and never that staff know.
        await pilot.press("f1")
        await kd.wait_until(pilot, lambda: shows(app, CALL_STATUS["retrying"]), "retrying")
        await kd.wait_until(pilot, lambda: HELP_ON_THE_WAY in (runtime.voice.last_text or ""),
                            "the call spoken")
        assert not shows(app, NOTIFIED)
        webhook.start()
        [body] = await posts(webhook, 1)
        await kd.wait_until(pilot, lambda: shows(app, NOTIFIED), "staff notified")
        # Said on its own once it is true.
        await kd.wait_until(pilot, lambda: runtime.voice.last_text == NOTIFIED, "said")
        headers = webhook.posts[0][0]
        assert headers["X-Helselos-Secret"] == "kiosk-7-secret"
        assert body["event"] == "help_called"
        assert (body["kiosk"], body["place"]) == ("Deichman Grünerløkka", "2nd floor")
        posted = json.dumps(webhook.posts, ensure_ascii=False)
        for private in (person.display_name, person.patient_id, person.access_token,
                        *person.display_name.split()):
            assert private not in posted


async def test_a_staff_member_unlocking_answers_the_call(
    kd: SimpleNamespace, make_runtime: Any, webhook: WebhookServer
) -> None:
    webhook.start()
    runtime = make_runtime(help_webhook_url=webhook.url)
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f1")  # on the welcome screen, in Norwegian
        notified = app.l10n.gettext(NOTIFIED)
        assert notified != NOTIFIED
        await kd.wait_until(pilot, lambda: shows(app, notified), "staff notified")
        await pilot.press(*kd.STAFF_PIN, "enter")
        await kd.wait_until(pilot, lambda: runtime.helper.active_staff == kd.STAFF_NAME,
                            "helper mode")
        called, answered = await posts(webhook, 2)
        assert (called["event"], answered["event"]) == ("help_called", "help_answered")
        assert answered["call"] == called["call"]
        assert runtime.staff_call.state == "none"


async def test_without_a_webhook_the_kiosk_says_staff_come_when_they_see_you(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    runtime = app.runtime
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        # A hardware help button is a USB button that sends F1: the same key, on any screen.
        await pilot.press("f1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StaffHelpScreen", "the call")
        local = CALL_STATUS["local"]
        assert shows(app, HELP_ON_THE_WAY) and shows(app, local)
        assert not shows(app, NOTIFIED)
        await kd.wait_until(pilot, lambda: (runtime.voice.last_text or "").startswith(
            f"{HELP_ON_THE_WAY}\n{local}"), "said")
        # Closed, the call goes on: asked again, it is shown as it stands, not made twice.
        await pilot.press("escape")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StepView", "the step")
        assert runtime.staff_call.state == "local"
        await pilot.press("f1")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "StaffHelpScreen", "again")
        assert kd.view(app).wait_s == 0
        assert shows(app, local)
