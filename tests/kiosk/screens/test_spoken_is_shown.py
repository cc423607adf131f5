"""What is spoken is what the screen shows, both ways, on every screen: every spoken piece is
drawn, and every line drawn in the body is spoken. The drawn text is read back from the
terminal's compositor, not from the widgets' spoken text, so dropping a label from speech (or
drawing one that is never said) fails here."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from tests.kiosk.screens.test_snapshots import ROUTES, quiet

TALL = (100, 48)
"""Tall enough that no body scrolls: at 100x32 the menu's last lines sit below the fold (drawn
only after scrolling), which the snapshot tests watch; here every line must be on screen."""


def letters(text: str) -> str:
    # Whitespace and box/block drawing (borders, the QR code) are not text a citizen reads.
    return "".join(c for c in text if not c.isspace() and not "\u2500" <= c <= "\u259f")


@pytest.mark.parametrize("screen", list(ROUTES))
async def test_speech_and_screen_match_both_ways(
    kd: SimpleNamespace, runtime: Runtime, screen: str
) -> None:
    app = KioskApp(runtime)
    try:
        async with app.run_test(size=TALL) as pilot:
            await ROUTES[screen](kd, pilot)
            await quiet(pilot)
            spoken = kd.view(app).speech_text()
            drawn = kd.view(app).visible_text()
            assert spoken and drawn
            for piece in spoken.splitlines():
                assert letters(piece) in letters(drawn), f"spoken, not shown: {piece!r}"
            for line in drawn.splitlines():
                if letters(line):
                    assert letters(line) in letters(spoken), f"shown, not spoken: {line!r}"
    finally:
        if runtime.demo is not None and runtime.demo._lock.locked():
            runtime.demo._lock.release()
