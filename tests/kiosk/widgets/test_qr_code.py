"""The half-block QR code decodes back to its data with a real QR reader (zbarimg)."""

from __future__ import annotations

from pathlib import Path

from kiosk.widgets.qr_code import render_lines
from tests.kiosk.widgets.qr_reader import decode, to_pgm

URL = "http://127.0.0.1:8000/device?user_code=WXYZ-ABCD"
def test_dark_background_rendering_paints_the_light_modules() -> None:
    lines = render_lines(URL)
    assert all(len(line) == len(lines[0]) for line in lines)
    # With the default border of 2 light modules, the first line is fully painted.
    assert set(lines[0]) == {"█"}


def test_rendered_lines_decode_to_the_url(tmp_path: Path) -> None:
    dark_terminal = render_lines(URL)
    assert decode(to_pgm(dark_terminal, tmp_path / "dark.pgm", painted_is_dark=False)) == URL
    light_terminal = render_lines(URL, invert=False)
    assert decode(to_pgm(light_terminal, tmp_path / "light.pgm", painted_is_dark=True)) == URL


def test_a_wrong_reading_of_the_colours_does_not_decode(tmp_path: Path) -> None:
    lines = render_lines(URL)
    assert decode(to_pgm(lines, tmp_path / "wrong.pgm", painted_is_dark=True)) != URL
