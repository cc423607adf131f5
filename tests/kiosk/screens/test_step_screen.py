"""The step screen's slot pages follow the text size: after F3 the citizen still sees the time
they were looking at, on the page that now holds it."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.screens.step import LARGE_PAGE, PAGE


async def test_changing_text_size_keeps_the_first_shown_time_in_view(
    kd: SimpleNamespace, app: KioskApp
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        await kd.open_guide(pilot)
        await pilot.press("1")
        await kd.approve_by_phone(pilot)
        await kd.at_step(pilot, "choice")
        await pilot.press("1")  # at the GP office
        await kd.at_step(pilot, "slot")
        screen = kd.view(app)
        assert len(screen.options) > 2 * PAGE, "the demo service offers too few times"
        await pilot.click("#page-next")
        await pilot.pause()
        first = screen.options[PAGE]
        assert screen.query_one("#option-1").value == first.id

        await pilot.press("f3")
        await pilot.pause()
        assert screen.page == PAGE // LARGE_PAGE
        assert screen.query_one("#option-1").value == first.id
        assert len(screen.query(".tiles BigButton")) <= LARGE_PAGE + 2

        await pilot.press("f3")
        await pilot.pause()
        assert screen.page == 1
        assert screen.query_one("#option-1").value == first.id
