"""Reads a half-block QR code back with a real QR reader (zbarimg from zbar-tools).

zbar-tools is installed by the test command; without it these helpers fail loudly instead of
letting a QR test pass unchecked.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
    if shutil.which("zbarimg") is None:
        raise AssertionError("zbarimg is missing: install zbar-tools (./helselos.sh test does)")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True,
                            text=True, timeout=30, check=False)
    return result.stdout.strip()


def read_qr(lines: list[str], tmp_path: Path, *, painted_is_dark: bool = False) -> str:
    """What a phone camera would read from these text lines (dark-terminal rendering)."""
    return decode(to_pgm(lines, tmp_path / "qr.pgm", painted_is_dark=painted_is_dark))
