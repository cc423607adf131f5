"""Big tiles: at least 3 rows by 20 columns in both layouts, with the number key on the tile,
and the spoken name equal to the tile's text."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Grid

from kiosk.screens import base
from kiosk.themes import DEFAULT_THEME
from kiosk.widgets import big_button
from kiosk.widgets.big_button import BigButton


class TilesApp(App[None]):
    CSS_PATH = [  # noqa: RUF012
        Path(big_button.__file__).with_suffix(".tcss"),
        Path(base.__file__).with_suffix(".tcss"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.register_theme(DEFAULT_THEME)
        self.theme = "default"

    def compose(self) -> ComposeResult:
        with Grid(classes="tiles"):
            for number in range(1, 5):
                yield BigButton(number, f"Choice number {number}", id=f"t{number}")


async def test_tiles_are_big_enough_in_both_layouts() -> None:
    app = TilesApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for tile in app.query(BigButton):
            assert tile.region.height >= 3 and tile.region.width >= 20
        app.add_class("large-text")
        await pilot.pause()
        for tile in app.query(BigButton):
            assert tile.region.height >= 5


async def test_number_is_shown_and_spoken() -> None:
    app = TilesApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tile = app.query_one("#t2", BigButton)
        assert tile.spoken == "2 Choice number 2"
        assert tile.label.plain.split() == tile.spoken.split()
