"""Practice visits: a staff member starts one with their PIN at a kiosk configured for a real
health service. PRACTICE is on every screen and said at the start, a whole booking goes to the
practice service, and the configured service (a trap on 127.0.0.1) gets no request at all."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import kiosk.practice
from kiosk.app import PRACTICE_SAID, KioskApp
from kiosk.runtime import Runtime
from kiosk.stats import FILE_NAME
from kiosk.widgets.practice_banner import PRACTICE_BANNER, PracticeBanner
from tests.trap_server import TrapServer


@pytest.fixture
def trap() -> Iterator[TrapServer]:
    server = TrapServer()
    yield server
    server.close()


@pytest.fixture
def real_runtime(make_runtime: Callable[..., Runtime], trap: TrapServer,
                 monkeypatch: pytest.MonkeyPatch) -> Runtime:
    # The tests' practice service answers sign-in polls at once, as the tests' demo does.
    monkeypatch.setattr(kiosk.practice, "start_practice", functools.partial(
        kiosk.practice.start_practice, seed=7, poll_interval_s=0))
    return make_runtime(fhir_base_url=f"{trap.url}/fhir/R4", issuer=trap.url)


async def start_practice(kd: SimpleNamespace, pilot: Any) -> None:
    """As staff do: F1, the PIN, "Start a practice visit"."""
    app = pilot.app
    await pilot.press("f1")
    await pilot.pause()
    await pilot.press(*kd.STAFF_PIN)
    await pilot.click("#practice")
    await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView",
                        "the practice visit's first question")


def booked(runtime: Runtime) -> list[dict[str, Any]]:
    assert runtime.practice is not None
    return [a for a in runtime.practice.demo.appointments() if a["status"] == "booked"]


async def test_a_practice_booking_never_reaches_the_configured_service(
    kd: SimpleNamespace, real_runtime: Runtime, trap: TrapServer
) -> None:
    runtime = real_runtime
    app = KioskApp(runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        assert not app.frame.query_one(PracticeBanner).display
        await start_practice(kd, pilot)
        practice = runtime.practice
        assert practice is not None
        # The practice office's words are machine-translated as a real office's, by the
        # kiosk's own translator (its models loaded once), from the practice people's English.
        assert practice.actions.context.translator is runtime.actions.context.translator
        assert practice.actions.context.translator is not None
        assert practice.actions.context.office_language == "en"
        assert runtime.helper.active_staff is None  # the learner's visit, not a helped one
        assert app.l10n.gettext(PRACTICE_SAID) in (runtime.voice.last_text or "")
        before = len(booked(runtime))
        shown_on: set[str] = set()
        await pilot.press("2")  # English
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "MenuView", "the menu")
        await pilot.press("1")
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # book
        await kd.approve_by_phone(pilot)
        # PRACTICE is drawn on every screen of the visit, in the citizen's language.
        for _ in range(12):
            await kd.wait_until(pilot, lambda: kd.screen_name(app) in ("StepView", "FinishView")
                                and not kd.view(app).query("#working"), "a question")
            assert kd.shows(app, app.l10n.gettext(PRACTICE_BANNER)), kd.screen_name(app)
            shown_on.add(kd.screen_name(app))
            if kd.screen_name(app) == "FinishView":
                break
            await finish_by_keys_once(kd, pilot)
        assert shown_on == {"StepView", "FinishView"}
        assert len(booked(runtime)) == before + 1
        await pilot.press("enter")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle screen")
        await kd.settle(pilot)
        assert runtime.practice is None
        assert not app.frame.query_one(PracticeBanner).display
        # A course's visit is not a citizen's: it is not in the digital-inclusion counts.
        assert not (runtime.settings.state_dir / FILE_NAME).exists()
    assert trap.requests == []


async def finish_by_keys_once(kd: SimpleNamespace, pilot: Any) -> None:
    """Answer one question as finish_by_keys does: y to a confirm, else the first option."""
    kind = kd.view(pilot.app).runner.step.kind
    await pilot.press("y" if kind == "confirm" else "1")
    await pilot.pause()


async def test_a_wrong_pin_starts_no_practice(
    kd: SimpleNamespace, real_runtime: Runtime, trap: TrapServer
) -> None:
    app = KioskApp(real_runtime)
    async with app.run_test(size=kd.SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*"000000")
        await pilot.click("#practice")
        await kd.settle(pilot)
        assert real_runtime.practice is None
        assert kd.screen_name(app) == "StaffHelpScreen"
    assert trap.requests == []
