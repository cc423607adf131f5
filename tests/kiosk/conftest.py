"""Fixtures for the kiosk UI tests: a real Runtime (demo backend on 127.0.0.1, real guides,
real helper mode on a temporary state dir) driven by a ManualClock, and a small pilot driver."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from hardware.microphone import AudioSource
from helper_mode.staff import StaffRegistry
from kiosk.app import KioskApp
from kiosk.clock import ManualClock
from kiosk.config import Settings
from kiosk.runtime import Runtime, build_runtime
from kiosk.services.http import HttpClient

SIZE = (100, 32)
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SEED = 7
STAFF_NAME = "Siri Staff"
STAFF_PIN = "482916"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_runtime(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[..., Runtime]]:
    built: list[Runtime] = []

    def make(open_source: Callable[[], AudioSource] | None = None, **settings: Any) -> Runtime:
        # No listening unless a test asks: a machine with a microphone must not hear the room.
        values: dict[str, Any] = {"state_dir": tmp_path / "state", "speech": False,
                                  "audio_output": "none", "voice_input": "off"}
        values.update(settings)
        settings = Settings(**values)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not settings.staff_file.exists():
            StaffRegistry(settings.staff_file, clock).add(STAFF_NAME, STAFF_PIN)
        runtime = build_runtime(settings, clock=clock, demo_seed=SEED, demo_poll_interval_s=0,
                                open_source=open_source)
        built.append(runtime)
        return runtime

    yield make
    for runtime in built:
        runtime.close()


@pytest.fixture
def runtime(make_runtime: Callable[..., Runtime]) -> Runtime:
    return make_runtime()


@pytest.fixture
def app(runtime: Runtime) -> KioskApp:
    return KioskApp(runtime)


async def wait_until(pilot: Any, condition: Callable[[], bool], what: str,
                     attempts: int = 400) -> None:
    """Let the app (and its thread workers) run until condition holds."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the app never reached: {what} (screen: {pilot.app.screen!r})")


def _letters(text: str) -> str:
    # Whitespace and box/block drawing (borders, the QR code) are not text a citizen reads.
    return "".join(c for c in text if not c.isspace() and not "\u2500" <= c <= "\u259f")


def shows(app: KioskApp, text: str) -> bool:
    """True when every line of text is drawn on the terminal (wrapping and borders ignored)."""
    drawn = "".join(_letters(strip.text) for strip in app.screen._compositor.render_strips())
    return all(_letters(line) in drawn for line in text.splitlines())


def view(app: KioskApp) -> Any:
    """What the citizen sees on top: a dialog, else the flow's current view."""
    if app.screen is not app.frame:
        return app.screen
    return app.frame.view


def screen_name(app: KioskApp) -> str:
    """The class name of what is on top (a view of the flow, or a dialog)."""
    return type(view(app)).__name__


def step_kind(app: KioskApp) -> str | None:
    runner = getattr(view(app), "runner", None)
    return runner.step.kind if runner is not None else None


async def settle(pilot: Any) -> None:
    """Wait for workers and the messages they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await asyncio.sleep(0)
    await pilot.pause()


async def at_step(pilot: Any, kind: str) -> None:
    """Wait for a step screen showing a step of this kind, ready for input."""
    def ready() -> bool:
        if screen_name(pilot.app) != "StepView" or step_kind(pilot.app) != kind:
            return False
        return not view(pilot.app).query("#working")

    await wait_until(pilot, ready, f"a {kind} step")
    await pilot.pause()


async def approve_by_phone(pilot: Any, patient: str = "kari") -> None:
    """Do what the citizen's phone does: open the verification page, choose, say yes."""
    await wait_until(pilot, lambda: screen_name(pilot.app) == "SignInView"
                     and view(pilot.app).auth is not None, "the sign-in codes")
    auth = view(pilot.app).auth
    answer = await asyncio.to_thread(
        requests.post, auth.verification_uri,
        data={"user_code": auth.user_code, "patient": patient, "decision": "approve"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    view(pilot.app).poll_now()


async def open_menu(pilot: Any, language_key: str = "2", *, language: str | None = None) -> None:
    """From the idle screen: Start, a language (2 = English; or the one coded language, on
    whichever page of languages it is), until the menu is up."""
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(pilot.app) == "LanguageView", "languages")
    if language is None:
        await pilot.press(language_key)
    else:
        await choose_language(pilot, language)
    await wait_until(pilot, lambda: screen_name(pilot.app) == "MenuView", "the menu")


async def choose_language(pilot: Any, code: str) -> None:
    """On the language screen, by keys: turn its pages with "More languages" until the
    language's tile shows, and press it."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        languages = view(app)
        tile = languages.query(f"#lang-{code}")
        if tile:
            await pilot.press(str(tile.first().number))
            await wait_until(pilot, lambda: app.l10n.lang == code, f"the kiosk in {code}")
            return
        more = languages.query("#page-next")
        assert more, f"no page of the language screen offers {code!r}"
        await pilot.press(str(more.first().number))
    raise AssertionError(f"the language screen never showed {code!r}")


async def open_guide(pilot: Any, language_key: str = "2") -> None:
    """From the idle screen: Start, a language (2 = English), the first guide."""
    await open_menu(pilot, language_key)
    await pilot.press("1")
    await at_step(pilot, "choice")


async def open_task(pilot: Any, guide_id: str, language_key: str = "2", *,
                    language: str | None = None) -> None:
    """From the idle screen, by keys only: Start, a language (2 = English, or by its code as
    open_menu), then the menu's number keys (turning its pages with "More tasks") until the
    guide's tile can be pressed."""
    await open_menu(pilot, language_key, language=language)
    await pick_task(pilot, guide_id)


async def pick_task(pilot: Any, guide_id: str) -> None:
    """On the menu, by keys: turn its pages with "More tasks" until the guide's tile can be
    pressed, and press it."""
    await wait_until(pilot, lambda: screen_name(pilot.app) == "MenuView", "the menu")
    turned = False
    for _ in range(20):
        await pilot.pause()
        menu = view(pilot.app)
        tile = menu.query(f"#guide-{guide_id}")
        if tile:
            await pilot.press(str(tile.first().number))
            # A guide that begins with sign-in opens the sign-in screen at once.
            await wait_until(pilot, lambda: screen_name(pilot.app) in ("StepView",
                                                                       "SignInView"),
                             guide_id)
            await pilot.pause()
            return
        # After "Another task" the menu may be on a later page: first turn back to the start.
        earlier = menu.query("#page-prev")
        if earlier and not turned:
            await pilot.press(str(earlier.first().number))
            continue
        turned = True
        more = menu.query("#page-next")
        assert more, f"no menu page offers the guide {guide_id!r}"
        await pilot.press(str(more.first().number))
    raise AssertionError(f"the menu never showed {guide_id!r}")


def fhir_http(runtime: Runtime) -> HttpClient:
    """The runtime's HTTP client of the FHIR API (the tasks, the record reads of sign-in and the
    outbox all use it). A test plays a health service that has gone away by pointing its
    base_url at a closed port, and brings the service back by restoring it."""
    return runtime.pool.at(runtime.fhir_base_url)


def token_works(runtime: Runtime, token: str) -> bool:
    """Whether the health service still accepts the token (asked directly, like an attacker)."""
    assert runtime.demo is not None
    answer = requests.get(f"{runtime.demo.base_url}/fhir/Patient/kari",
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
    return answer.status_code == 200


@pytest.fixture
def kd() -> SimpleNamespace:
    """The kiosk test kit: sizes, staff credentials and pilot helpers, for the test modules."""
    return SimpleNamespace(
        SIZE=SIZE, STAFF_NAME=STAFF_NAME, STAFF_PIN=STAFF_PIN, wait_until=wait_until,
        view=view, screen_name=screen_name, shows=shows, step_kind=step_kind, settle=settle,
        at_step=at_step,
        pick_task=pick_task, open_menu=open_menu, choose_language=choose_language,
        approve_by_phone=approve_by_phone, open_guide=open_guide, open_task=open_task,
        token_works=token_works, fhir_http=fhir_http,
    )
