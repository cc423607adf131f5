"""clear_display_caches empties Rich's and Textual's memo caches, module functions and class
methods alike, so text drawn for one citizen is not kept in them for the next."""

from __future__ import annotations

from rich.cells import cached_cell_len
from rich.segment import Segment
from textual.strip import Strip

from kiosk.display_caches import clear_display_caches


def test_drawn_text_leaves_the_caches() -> None:
    drawn = "Atorvastatin 20 mg tablet"
    cached_cell_len(drawn)
    Segment(drawn).split_cells(5)
    Strip([Segment(drawn)]).crop(0, 5)
    assert cached_cell_len.cache_info().currsize > 0

    assert clear_display_caches() > 10
    assert cached_cell_len.cache_info().currsize == 0
    assert Segment._split_cells.cache_info().currsize == 0  # type: ignore[attr-defined]
