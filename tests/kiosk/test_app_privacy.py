"""Canaries: after finish, End and the idle timeout, the fictional citizen's name, national id
and booked time (as shown) are nowhere the kiosk could still show or leak them: not in objects
reachable from the app (runtime.demo excepted: it IS the remote health service), not in the
state dir, not in the logs."""

from __future__ import annotations

import asyncio
import gc
import logging
import types
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.runtime import Runtime

NAME = "Kari Nordmann"
NATIONAL_ID = "15837110073"
_OPAQUE = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.CodeType,
    types.FrameType,
    types.BuiltinFunctionType,
    asyncio.AbstractEventLoop,
)


def reachable_texts(root: object, skip: list[object]) -> Iterator[str]:
    """Every string (and bytes) reachable from root through object references.

    Modules, classes, functions and frames are not followed: they lead to the whole
    interpreter (including this test's own locals), not to data the app holds.
    """
    skipped = {id(obj) for obj in skip}
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in skipped:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes | bytearray):
            yield bytes(obj).decode("utf-8", "replace")
        elif not isinstance(obj, _OPAQUE):
            stack.extend(gc.get_referents(obj))


def leaks(app: KioskApp, runtime: Runtime, canaries: list[str], log_text: str) -> list[str]:
    found = []
    gc.collect()
    for text in reachable_texts(app, [runtime.demo]):
        found += [f"app object: {c!r} in {text[:80]!r}" for c in canaries if c in text]
    for path in Path(runtime.settings.state_dir).rglob("*"):
        if path.is_file():
            content = path.read_text(encoding="utf-8", errors="replace")
            found += [f"state file {path.name}: {c!r}" for c in canaries if c in content]
    found += [f"log: {c!r}" for c in canaries if c in log_text]
    return found


async def book_until_confirm(kd: SimpleNamespace, pilot: Any, app: KioskApp) -> str:
    """Sign in, pick the first free time; returns the time as the kiosk showed it."""
    await kd.open_guide(pilot)
    await pilot.press("1")
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")
    await pilot.press("1")  # at the GP office
    await kd.wait_until(
        pilot,
        lambda: (
            kd.screen_name(app) == "StepView"
            and kd.view(app).runner.step.kind == "slot"
            and bool(kd.view(app).query("#option-1"))
        ),
        "free times",
    )
    shown = kd.view(app).query_one("#option-1").text
    await pilot.press("1")
    await kd.wait_until(
        pilot, lambda: kd.view(app).runner.step.kind == "confirm", "the confirm step"
    )
    assert shown in kd.view(app).speech_text()
    return str(shown)


def token_works(runtime: Runtime, token: str) -> bool:
    """Whether the health service still accepts the token (asked directly, like an attacker)."""
    assert runtime.demo is not None
    answer = requests.get(f"{runtime.demo.base_url}/fhir/Patient/kari",
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
    return answer.status_code == 200


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_nothing_personal_survives_finish(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, logs: pytest.LogCaptureFixture
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        shown = await book_until_confirm(kd, pilot, app)
        await pilot.press("y")
        await kd.wait_until(
            pilot, lambda: kd.screen_name(app) == "FinishView", "the finish screen"
        )
        assert shown in kd.view(app).speech_text()
        assert leaks(app, runtime, [NAME], "") != [], "the canary check cannot see the app"
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle screen")
        await pilot.pause()
        assert leaks(app, runtime, [NAME, NATIONAL_ID, shown], logs.text) == []


async def test_nothing_personal_survives_end(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime, logs: pytest.LogCaptureFixture
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        shown = await book_until_confirm(kd, pilot, app)
        token = runtime.session.access_token
        assert token is not None and token_works(runtime, token)
        await pilot.press("f10")
        await kd.wait_until(
            pilot,
            lambda: kd.screen_name(app) == "IdleView" and app.flow.depth == 1,
            "the idle screen",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert leaks(app, runtime, [NAME, NATIONAL_ID, shown, token], logs.text) == []
        assert not token_works(runtime, token), "End must sign out at the service too"


async def test_nothing_personal_survives_the_idle_timeout(
    kd: SimpleNamespace,
    app: KioskApp,
    runtime: Runtime,
    clock: ManualClock,
    logs: pytest.LogCaptureFixture,
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        shown = await book_until_confirm(kd, pilot, app)
        clock.advance(runtime.settings.idle_timeout_s)
        app.check_time_limit()
        await kd.wait_until(
            pilot,
            lambda: kd.screen_name(app) == "IdleView" and app.flow.depth == 1,
            "the idle screen",
        )
        await pilot.pause()
        assert leaks(app, runtime, [NAME, NATIONAL_ID, shown], logs.text) == []
