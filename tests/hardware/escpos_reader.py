"""A small ESC/POS decoder for tests: turns the bytes a printer got back into receipts.

It knows exactly the commands a receipt printer needs (and the kiosk sends) and refuses any
other byte sequence, so a stray or malformed command fails the test instead of being skipped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 13: "cp857",
              14: "cp737", 15: "iso8859_7", 16: "cp1252", 17: "cp866", 18: "cp852", 19: "cp858",
              32: "cp720", 33: "cp775", 34: "cp855", 35: "cp861", 36: "cp862", 37: "cp864",
              38: "cp869", 39: "iso8859_2", 40: "iso8859_15", 44: "cp1125", 45: "cp1250",
              46: "cp1251"}
"""ESC t numbers of the TM-T20II profile, as Python's codecs name them."""
ESC, GS = 0x1B, 0x1D


@dataclass
class Line:
    text: str
    bold: bool
    double: bool
    centred: bool


@dataclass
class QrCode:
    model: int | None = None
    module_dots: int | None = None
    error_correction: str | None = None
    stored: bytes | None = None
    printed: bool = False


@dataclass
class Raster:
    """A GS v 0 picture: ``rows`` of ``width`` dots, True for a black dot."""

    width: int
    rows: list[list[bool]]

    @property
    def inked(self) -> int:
        return sum(map(sum, self.rows))


@dataclass
class Printed:
    """One receipt: from an ESC @ to its cut."""

    code_page: int | None = None
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[QrCode] = field(default_factory=list)
    images: list[Raster] = field(default_factory=list)
    fed_lines: int = 0
    cut: str | None = None

    @property
    def text(self) -> list[str]:
        return [line.text for line in self.lines]


class _State:
    def __init__(self) -> None:
        self.bold = False
        self.double = False
        self.centred = False
        self.pending = ""


def read_receipts(data: bytes) -> list[Printed]:
    """Every receipt in data, in order. Text before the first ESC @ or after a cut is an error."""
    receipts: list[Printed] = []
    state = _State()
    current: Printed | None = None
    i = 0

    def need(count: int) -> bytes:
        if i + count > len(data):
            raise ValueError(f"byte {i}: command cut short")
        return data[i:i + count]

    def receipt() -> Printed:
        if current is None:
            raise ValueError(f"byte {i}: printing before ESC @ (initialise)")
        return current

    while i < len(data):
        byte = data[i]
        if byte == ESC:
            command = need(2)[1:2]
            if command == b"@":
                current, state = Printed(), _State()
                receipts.append(current)
                i += 2
                continue
            value = need(3)[2]
            if command == b"t":
                if value not in CODE_PAGES:
                    raise ValueError(f"byte {i}: code page {value} unknown to the reader")
                receipt().code_page = value
            elif command == b"!":
                state.double = value & 0x30 == 0x30
                state.bold = bool(value & 0x08)
            elif command == b"E":
                state.bold = bool(value & 1)
            elif command == b"a":
                if value not in (0, 1):
                    raise ValueError(f"byte {i}: alignment {value} unexpected")
                state.centred = value == 1
            elif command == b"d":
                receipt().fed_lines += value
            else:
                raise ValueError(f"byte {i}: unknown command ESC {command!r}")
            i += 3
        elif byte == GS:
            command = need(2)[1:2]
            if command == b"!":
                size = need(3)[2]
                if size not in (0x00, 0x11):
                    raise ValueError(f"byte {i}: character size {size:#x} unexpected")
                state.double = size == 0x11
                i += 3
            elif command == b"V":
                mode = need(3)[2]
                if mode in (0, 48):
                    receipt().cut, i = "full", i + 3
                elif mode in (1, 49):
                    receipt().cut, i = "partial", i + 3
                elif mode in (65, 66):
                    receipt().fed_lines += need(4)[3]
                    receipt().cut = "full" if mode == 65 else "partial"
                    i += 4
                else:
                    raise ValueError(f"byte {i}: unknown cut mode {mode}")
                current = None
            elif command == b"(":
                i = _read_qr(data, i, receipt())
            elif command == b"v":
                i = _read_raster(data, i, receipt())
            else:
                raise ValueError(f"byte {i}: unknown command GS {command!r}")
        elif byte == 0x0A:
            receipt().lines.append(Line(state.pending, state.bold, state.double, state.centred))
            state.pending = ""
            i += 1
        elif byte < 0x20 or byte == 0x7F:
            raise ValueError(f"byte {i}: control byte {byte:#04x} in the text")
        else:
            state.pending += bytes([byte]).decode(CODE_PAGES[receipt().code_page or 0])
            i += 1
    if state.pending:
        raise ValueError("text at the end was never printed (no line feed)")
    return receipts


def _read_qr(data: bytes, i: int, receipt: Printed) -> int:
    """One GS ( k function; returns the index after it."""
    if data[i + 2:i + 3] != b"k":
        raise ValueError(f"byte {i}: GS ( {data[i + 2:i + 3]!r} is not a 2D code command")
    (length,) = struct.unpack("<H", data[i + 3:i + 5])
    body = data[i + 5:i + 5 + length]
    if len(body) != length or length < 3 or body[0:1] != b"1":
        raise ValueError(f"byte {i}: malformed QR command")
    function, args = body[1], body[2:]
    if function == 65:
        receipt.qr_codes.append(QrCode(model=args[0] - 48))
    else:
        if not receipt.qr_codes:
            raise ValueError(f"byte {i}: QR function {function} before the model is chosen")
        qr = receipt.qr_codes[-1]
        if function == 67:
            qr.module_dots = args[0]
        elif function == 69:
            qr.error_correction = {48: "L", 49: "M", 50: "Q", 51: "H"}[args[0]]
        elif function == 80:
            if args[0:1] != b"0":
                raise ValueError(f"byte {i}: QR store with m={args[0]}")
            qr.stored = bytes(args[1:])
        elif function == 81:
            qr.printed = qr.stored is not None
        else:
            raise ValueError(f"byte {i}: QR function {function} unknown to the reader")
    return i + 5 + length


def _read_raster(data: bytes, i: int, receipt: Printed) -> int:
    """One GS v 0 m xL xH yL yH picture; returns the index after it."""
    if data[i + 2:i + 3] != b"0" or len(data) < i + 8:
        raise ValueError(f"byte {i}: GS v {data[i + 2:i + 3]!r} is not a raster picture")
    width_bytes, height = struct.unpack("<HH", data[i + 4:i + 8])
    body = data[i + 8:i + 8 + width_bytes * height]
    if len(body) != width_bytes * height:
        raise ValueError(f"byte {i}: raster picture cut short")
    rows = [[bool(body[r * width_bytes + x // 8] & (0x80 >> x % 8))
             for x in range(width_bytes * 8)] for r in range(height)]
    receipt.images.append(Raster(width_bytes * 8, rows))
    return i + 8 + width_bytes * height
