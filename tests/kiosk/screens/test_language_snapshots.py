"""SVG snapshots of the language screen, a guide's first step and the sign-in screen in Arabic
and Persian (right to left, shaped), Tigrinya (Ge'ez), Northern Sami (Sami letters) and
Ukrainian (Cyrillic), each reached by keys as a citizen would: Start, the language (turning the
language pages), then the menu's keys. Same conditions as test_snapshots (fixed clock, seeded
demo, speech off); update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from tests.kiosk.screens.test_snapshots import quiet, to_signin

LANGUAGES = ["ar", "fa", "ti", "se", "uk"]


async def choose_language(kd: SimpleNamespace, pilot: Any, code: str) -> None:
    """On the language screen: turn its pages until the language's tile shows, press its key."""
    app = pilot.app
    for _ in range(5):
        await pilot.pause()
        view = kd.view(app)
        tile = view.query(f"#lang-{code}")
        if tile:
            await pilot.press(str(tile.first().number))
            await kd.wait_until(pilot, lambda: app.l10n.lang == code
                                and kd.screen_name(app) == "MenuView", f"the menu in {code}")
            return
        await pilot.press(str(view.query_one("#page-next").number))
    raise AssertionError(f"no language page offers {code!r}")


async def to_menu_in(kd: SimpleNamespace, pilot: Any, code: str) -> None:
    await pilot.press("enter")
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "LanguageView", "languages")
    await choose_language(kd, pilot, code)


async def to_language(kd: SimpleNamespace, pilot: Any, code: str) -> None:
    await to_menu_in(kd, pilot, code)
    await pilot.press(str(kd.view(pilot.app).query_one("#change-language").number))
    await kd.wait_until(pilot, lambda: kd.screen_name(pilot.app) == "LanguageView", "languages")


async def to_step(kd: SimpleNamespace, pilot: Any, code: str) -> None:
    await to_menu_in(kd, pilot, code)
    await pilot.press("1")
    await kd.at_step(pilot, "choice")


async def to_signin_in(kd: SimpleNamespace, pilot: Any, code: str) -> None:
    # The snapshot route to sign-in opens the first guide from the menu it finds.
    original = kd.open_guide

    async def open_guide(pilot: Any) -> None:
        await to_step(kd, pilot, code)

    kd.open_guide = open_guide
    try:
        await to_signin(kd, pilot)
    finally:
        kd.open_guide = original


ROUTES = {"language": to_language, "step": to_step, "signin": to_signin_in}


@pytest.mark.parametrize("screen", list(ROUTES))
@pytest.mark.parametrize("code", LANGUAGES)
def test_screen_in_language(snap_compare: Any, kd: SimpleNamespace, runtime: Runtime,
                            code: str, screen: str) -> None:
    app = KioskApp(runtime)

    async def run_before(pilot: Any) -> None:
        await ROUTES[screen](kd, pilot, code)
        await quiet(pilot)

    assert snap_compare(app, terminal_size=kd.SIZE, run_before=run_before)
