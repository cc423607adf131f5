"""The half-block QR code decodes back to its data with a real QR reader (zbarimg)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.widgets.qr_code import render_lines

URL = "http://127.0.0.1:8000/device?user_code=WXYZ-ABCD"
_TOP = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def to_pgm(lines: list[str], path: Path, *, painted_is_dark: bool, scale: int = 8) -> Path:
    """Turn the text back into pixels: each character is two modules stacked."""
    rows: list[list[bool]] = []
    for line in lines:
        top = [_TOP[c][0] for c in line]
        bottom = [_TOP[c][1] for c in line]
        rows += [top, bottom]
    quiet = 4
    width = (len(rows[0]) + 2 * quiet) * scale
    pixels = bytearray()
    blank = [False] * len(rows[0])
    padded = [blank] * quiet + rows + [blank] * quiet
    light = 255
    for row in padded:
        line = bytearray()
        for painted in [False] * quiet + row + [False] * quiet:
            dark = painted if painted_is_dark else not painted
            line += bytes([0 if dark else light]) * scale
        pixels += bytes(line) * scale
    header = f"P5 {width} {len(padded) * scale} 255\n".encode()
    path.write_bytes(header + bytes(pixels))
    return path


def decode(path: Path) -> str:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True,
                            text=True, timeout=30, check=False)
    return result.stdout.strip()


def test_dark_background_rendering_paints_the_light_modules() -> None:
    lines = render_lines(URL)
    assert all(len(line) == len(lines[0]) for line in lines)
    # With the default border of 2 light modules, the first line is fully painted.
    assert set(lines[0]) == {"█"}


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed")
def test_rendered_lines_decode_to_the_url(tmp_path: Path) -> None:
    dark_terminal = render_lines(URL)
    assert decode(to_pgm(dark_terminal, tmp_path / "dark.pgm", painted_is_dark=False)) == URL
    light_terminal = render_lines(URL, invert=False)
    assert decode(to_pgm(light_terminal, tmp_path / "light.pgm", painted_is_dark=True)) == URL


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed")
def test_a_wrong_reading_of_the_colours_does_not_decode(tmp_path: Path) -> None:
    lines = render_lines(URL)
    assert decode(to_pgm(lines, tmp_path / "wrong.pgm", painted_is_dark=True)) != URL
