"""A QR code drawn with half-block characters, two modules per text line (no Pillow needed).

Light modules are drawn as filled blocks so the code reads as dark-on-light on a dark terminal.
"""

from __future__ import annotations

import qrcode
from textual.widgets import Static

_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def render_lines(data: str, *, invert: bool = True, border: int = 2) -> list[str]:
    """The QR code for data as text lines; invert=True paints light modules (dark terminals)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(data)
    code.make(fit=True)
    matrix = [[bool(cell) != invert for cell in row] for row in code.get_matrix()]
    if len(matrix) % 2:
        matrix.append([not invert] * len(matrix[0]))
    return [
        "".join(_BLOCKS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)
    ]


class QrCode(Static):
    """Shows a QR code; the surrounding screen says in words what it is for (EN 5.1.3.6)."""

    def __init__(self, data: str, *, id: str | None = None) -> None:
        super().__init__("\n".join(render_lines(data)), id=id, markup=False)
