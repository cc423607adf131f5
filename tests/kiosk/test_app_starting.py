"""`kiosk run` draws the welcome view first and builds the rest in the background: the
welcome is on the screen before the runtime exists, a touch in that moment starts the visit once
the kiosk is ready, and an operator's mistake found while building closes the kiosk with the
reason `kiosk run` prints."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.cli import _build_runtime
from kiosk.clock import ManualClock
from kiosk.config import Settings
from kiosk.runtime import Runtime
from kiosk.starting import StartFailed, Starting
from translations.catalog import Localizer


async def test_welcome_is_drawn_before_the_runtime_and_a_key_meanwhile_starts_the_visit(
    kd: SimpleNamespace, make_runtime: Callable[..., Runtime], clock: ManualClock
) -> None:
    release = threading.Event()
    built: list[Runtime] = []

    def build() -> Runtime:
        assert release.wait(10), "the test never let the runtime be built"
        built.append(make_runtime())
        return built[0]

    settings = Settings(state_dir=Path("unused"), speech=False)
    app = KioskApp(Starting(settings, build, clock))
    async with app.run_test(size=kd.SIZE) as pilot:
        welcome = Localizer(settings.default_language).gettext("Welcome to the health kiosk")
        await kd.wait_until(pilot, lambda: kd.shows(app, welcome), "the welcome view")
        assert not app.ready and not built
        await pilot.press("enter")
        assert kd.screen_name(app) == "IdleView"  # nothing is taken before the kiosk is ready
        release.set()
        await kd.wait_until(pilot, lambda: app.ready, "the runtime")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "LanguageView",
                            "the visit the early key asked for")
        assert app.runtime is built[0]
        assert app.runtime.session.active


async def test_a_start_failure_closes_the_kiosk_with_its_reason(
    kd: SimpleNamespace, clock: ManualClock
) -> None:
    def build() -> Runtime:
        raise StartFailed("cannot start: the guides have errors", details="guide.yaml:3: ...")

    app = KioskApp(Starting(Settings(state_dir=Path("unused"), speech=False), build, clock))
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.wait_until(pilot, lambda: app.start_failure is not None, "the failure")
    assert app.return_code == 2
    assert app.start_failure is not None
    assert str(app.start_failure) == "cannot start: the guides have errors"
    assert app.built is None


def test_an_address_this_machine_does_not_have_is_an_operators_mistake(tmp_path: Path) -> None:
    # 192.0.2.1 is TEST-NET-1: never an address of this machine.
    settings = Settings(state_dir=tmp_path / "state", speech=False, demo_host="192.0.2.1")
    with pytest.raises(StartFailed, match=r"is demo_host '192.0.2.1' an address of this machine"):
        _build_runtime(settings, ManualClock(), None)
