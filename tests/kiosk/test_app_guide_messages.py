"""The "message my GP office" guide through the real app, demo backend and sign-in, by keys
only: write a message (an empty one is refused), hear its start read back, send it and read it
back from the server; with the service away, keep it on the kiosk, say so, and deliver it once
the service is back; and read the conversation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime
from tests.loopback import closed_port_url

BACKOFF_S = 60
"""Long enough for the outbox's first retry to be due."""

MESSAGE = "Hello doctor, my tablets make me dizzy in the morning. Could we talk about it?"


def sent_by_kari(runtime: Runtime) -> list[dict[str, Any]]:
    assert runtime.demo is not None
    return [c for c in runtime.demo.resources("Communication")
            if (c.get("sender") or {}).get("reference") == "Patient/kari"
            and c["id"] != "kari-question"]


async def open_messages(kd: SimpleNamespace, pilot: Any) -> None:
    await kd.open_task(pilot, "messages")
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")


async def finish(kd: SimpleNamespace, pilot: Any) -> str:
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "FinishView", "the end")
    text = str(kd.view(pilot.app).text)
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "IdleView", "idle")
    return text


def keys(text: str) -> list[str]:
    named = {" ": "space", ",": "comma", ".": "full_stop", "?": "question_mark"}
    return [named.get(c, c) for c in text]


@pytest.mark.slow
async def test_write_and_send_a_message_by_keys_only(kd: SimpleNamespace, app: KioskApp,
                                                     runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("1")
        await kd.at_step(pilot, "text")
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.shows(app, "The box is empty."), "the error")
        await pilot.press(*keys(MESSAGE), "enter")
        await kd.at_step(pilot, "confirm")
        assert kd.shows(app, "Your message starts: Hello doctor, my tablets make me dizzy")
        assert not kd.shows(app, "talk about it")
        # No goes back to the message, still typed, to change it.
        await pilot.press("n")
        await kd.at_step(pilot, "text")
        await pilot.press("enter")
        await kd.at_step(pilot, "confirm")
        await pilot.press("y")
        text = await finish(kd, pilot)
    assert "Your message is sent to your GP office." in text
    (sent,) = sent_by_kari(runtime)
    assert sent["payload"] == [{"contentString": MESSAGE}]
    assert sent["subject"]["reference"] == "Patient/kari"


@pytest.mark.slow
async def test_with_the_service_away_the_message_waits_on_the_kiosk_until_it_is_back(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, clock: ManualClock
) -> None:
    assert runtime.delivery is not None
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("1")
        await kd.at_step(pilot, "text")
        await pilot.press(*keys(MESSAGE), "enter")
        await kd.at_step(pilot, "confirm")
        service = kd.fhir_http(runtime).base_url
        kd.fhir_http(runtime).base_url = closed_port_url()
        await pilot.press("y")
        text = await finish(kd, pilot)
    assert "Your message is saved on this kiosk." in text
    assert sent_by_kari(runtime) == []
    (waiting,) = runtime.outbox.items()
    assert waiting.submission.resource["payload"] == [{"contentString": MESSAGE}]
    kd.fhir_http(runtime).base_url = service
    clock.advance(BACKOFF_S)
    runtime.delivery.run_once()
    (sent,) = sent_by_kari(runtime)
    assert sent["payload"] == [{"contentString": MESSAGE}]
    assert runtime.outbox.items() == []


async def test_read_the_conversation(kd: SimpleNamespace, app: KioskApp,
                                     runtime: Runtime) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await open_messages(kd, pilot)
        await pilot.press("2")
        await kd.at_step(pilot, "list")
        assert kd.shows(app, "Can I take my thyroid tablet together with coffee?, Kari Nordmann")
        assert kd.shows(app, "Dr. Demo Lege")
        await pilot.press("1")
        assert "You have read your messages." in await finish(kd, pilot)
    assert sent_by_kari(runtime) == []
