"""Receipt printer for the kiosk: an ESC/POS thermal printer reached as a device file, or none.

The real device is an ESC/POS receipt printer (Epson TM-T20 style, 58 or 80 mm paper) behind the
Linux ``usblp`` driver, e.g. ``/dev/usb/lp0``: ``EscPosPrinter`` writes the ESC/POS bytes of a
receipt straight into that file. Any other writable file works the same way, which is how tests
and a kiosk without paper use it: a regular file collects the bytes, a FIFO hands them to
whatever reads it. Nothing is configured: ``NoPrinter``, whose ``available`` is False.

The bytes are made by python-escpos for the printer's profile (``PROFILE``, an Epson TM-T20II:
its code pages, its paper): text goes through the code pages the profile has, switched letter by
letter as needed (python-escpos's magic encoding), so Norwegian, Swedish, Polish or Ukrainian
letters print as text. A paragraph with a letter no code page holds (Ge'ez, the Sami ŋ and ŧ) or
of a right-to-left script (Arabic, Persian, Urdu: a printer neither joins nor reorders them) is
printed as a picture, drawn in a font of this machine that has its letters
(``hardware.slip_image``; GS v 0 raster); without such a font the slip is not printed and
``PrinterNoFont`` says which letter lacks one. Lines are wrapped to the paper width in characters
(32 on 58 mm paper, 48 on 80 mm), the QR code is drawn by the printer itself (GS ( k, model 2,
error correction M), and every receipt ends with a feed and a partial cut.

The device is opened non-blocking and every wait has a time limit, so a printer that takes no
more data (out of paper, lid open, a pipe nobody reads) turns into a ``PrinterError`` instead of
a hung kiosk. Each error has a ``msgid`` for the citizen; ``str()`` is for developers and names
the device and what went wrong, never what was being printed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import stat
import struct
import textwrap
import threading
import time
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import qrcode
from escpos.constants import QR_ECLEVEL_M, QR_MODEL_2
from escpos.magicencode import Encoder
from escpos.printer import Dummy
from qrcode.constants import ERROR_CORRECT_M

from hardware.slip_image import MissingFont, needs_picture, picture
from translations.catalog import N_

WIDTHS = {32: "58 mm", 48: "80 mm"}
"""Characters per line (font A, 12 dots each) and the paper they fit."""
DOTS_PER_CHAR = 12
DEFAULT_TIMEOUT_S = 10.0
PROFILE = "TM-T20II"
"""python-escpos's printer profile (the ``printer_profile`` setting's default): the code pages
and paper of an Epson TM-T20II, which most ESC/POS receipt printers of its kind follow."""
MAX_QR_MODULE_DOTS = 6
"""Dots per QR module: 6 dots (0.75 mm) scan well with phones and keep the code compact."""
MIN_QR_MODULE_DOTS = 3
"""Smaller modules than 3 dots (0.375 mm) do not scan reliably."""


# linux/lp.h: the usblp driver answers LPGETSTATUS with the IEEE 1284 status byte.
LPGETSTATUS = 0x060B
LP_PAPER_OUT = 0x20
LP_SELECTED = 0x10
LP_NO_ERROR = 0x08


class Receipt(Protocol):
    """What a printer prints: a heading, paragraphs of text and an optional QR code."""

    @property
    def title(self) -> str: ...

    @property
    def lines(self) -> Sequence[str]: ...

    @property
    def qr(self) -> str | None: ...


class ReceiptPrinter(Protocol):
    """A receipt printer. ``print_receipt()`` blocks until the bytes are out (time-limited), so
    call it from a worker thread, never from the UI loop."""

    description: str
    width: int

    @property
    def available(self) -> bool:
        """True when a printer is configured and its device is there right now."""
        ...

    def print_receipt(self, receipt: Receipt) -> None: ...

    def check(self) -> str: ...


class PrinterError(Exception):
    """The receipt could not be printed. ``msgid`` is what the citizen is told."""

    msgid = N_("The printer is not working. Please ask a staff member for help.")


class PrinterNotConfigured(PrinterError):
    """This kiosk has no printer (printer_device is empty)."""

    msgid = N_("This kiosk has no printer. Please ask a staff member for help.")


class PrinterMissing(PrinterError):
    """The device file is not there or nothing is behind it (unplugged, switched off)."""


class PrinterPermission(PrinterError):
    """The kiosk's user may not write to the device."""


class PrinterOutOfPaper(PrinterError):
    """The printer says it has no paper."""

    msgid = N_("The printer is out of paper. Please ask a staff member for help.")


class PrinterTimeout(PrinterError):
    """The printer stopped taking bytes and gave no reason."""


class PrinterNoFont(PrinterError):
    """Text the printer's code pages cannot print, and no font on this machine to draw it."""


def port_status_problem(status: int) -> str | None:
    """What the printer's port status byte (LPGETSTATUS) says is wrong, or None when it is ready."""
    if status & LP_PAPER_OUT:
        return "paper out"
    if not status & LP_SELECTED:
        return "offline"
    if not status & LP_NO_ERROR:
        return "an error (lid open or paper jam?)"
    return None


@cache
def _encoder(profile: str) -> Encoder:
    return Encoder(Dummy(profile=profile).profile.get_code_pages())


def _plain(text: str) -> str:
    # Control characters become spaces, so no text can smuggle a printer command in.
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def _paragraph(out: Dummy, text: str, width: int, profile: str, *, scale: int = 1) -> None:
    """One paragraph ``width`` characters wide: as text, or as a picture when a code page
    cannot hold it."""
    text = _plain(text)
    encoder = _encoder(profile)
    if needs_picture(text, lambda c: encoder.find_suitable_encoding(c) is not None):
        try:
            image = picture(text, width * scale * DOTS_PER_CHAR, scale=scale)
        except MissingFont as exc:
            raise PrinterNoFont(str(exc)) from exc
        out.image(image, impl="bitImageRaster")
        return
    # Addresses are broken at the paper's edge, not at their hyphens.
    for line in textwrap.wrap(text, width, break_on_hyphens=False) or [""]:
        out.textln(line)


def _qr_module(payload: str, width: int) -> int:
    """Dots per QR module: as big as fits the paper, up to MAX_QR_MODULE_DOTS."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    module = min(MAX_QR_MODULE_DOTS, width * DOTS_PER_CHAR // code.modules_count)
    if module < MIN_QR_MODULE_DOTS:
        raise ValueError(f"a QR code of {len(payload.encode())} bytes does not fit {width} "
                         "characters' width")
    return module


def render(receipt: Receipt, width: int, profile: str = PROFILE) -> bytes:
    """The ESC/POS bytes of one receipt for paper ``width`` characters wide."""
    module = _qr_module(receipt.qr, width) if receipt.qr else 0
    out = Dummy(profile=profile)
    out.hw("INIT")
    # Double size doubles each character's width, so the heading gets half as many per line.
    out.set(align="center", bold=True, double_height=True, double_width=True)
    _paragraph(out, receipt.title, width // 2, profile, scale=2)
    out.set(align="left", bold=False, normal_textsize=True)
    for paragraph in receipt.lines:
        out.ln()
        _paragraph(out, paragraph, width, profile)
    if receipt.qr:
        out.ln()
        out.set(align="center")
        out.qr(receipt.qr, ec=QR_ECLEVEL_M, size=module, model=QR_MODEL_2, native=True)
        out.ln()
        out.set(align="left")
    out.print_and_feed(2)
    out.cut(mode="PART", feed=False)  # GS V 66 0: feed up to the cutter, cut leaving a point
    return bytes(out.output)


class NoPrinter:
    """No printer configured: nothing can be printed, and the kiosk offers no slip."""

    description = "no printer"
    width = max(WIDTHS)

    @property
    def available(self) -> bool:
        return False

    def print_receipt(self, receipt: Receipt) -> None:
        raise PrinterNotConfigured("no printer is configured (printer_device is empty)")

    def check(self) -> str:
        raise PrinterNotConfigured("no printer is configured (printer_device is empty)")


class EscPosPrinter:
    """An ESC/POS printer behind a device file (or any file or FIFO standing in for one)."""

    def __init__(
        self, device: Path, width: int = 48, *, timeout_s: float = DEFAULT_TIMEOUT_S,
        profile: str = PROFILE,
    ) -> None:
        if width < 16:
            raise ValueError(f"printer width must be at least 16 characters, got {width}")
        if timeout_s <= 0:
            raise ValueError("printer timeout must be positive")
        self.device = Path(device)
        self.width = width
        self.timeout_s = timeout_s
        self.profile = profile
        paper = WIDTHS.get(width, "custom")
        self.description = f"ESC/POS printer at {self.device} ({paper}, {width} characters)"
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.device.exists() and os.access(self.device, os.W_OK, effective_ids=True)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt; raises a PrinterError when it could not be handed to the printer."""
        data = render(receipt, self.width, self.profile)
        with self._lock:
            fd = self._open()
            try:
                self._write_all(fd, data)
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    os.fsync(fd)
            except OSError as exc:
                raise self._write_error(fd, exc) from exc
            finally:
                os.close(fd)

    def check(self) -> str:
        """Open the device and ask its status without printing; a description when all is well."""
        with self._lock:
            fd = self._open()
            try:
                mode = os.fstat(fd).st_mode
                if stat.S_ISREG(mode):
                    return f"receipts are written as ESC/POS bytes into the file {self.device}"
                if stat.S_ISFIFO(mode):
                    return f"receipts go as ESC/POS bytes into the pipe {self.device}"
                problem = _port_problem(fd)
                if problem is not None:
                    raise self._problem(problem)
                return f"{self.description}: writable, ready"
            finally:
                os.close(fd)

    def _open(self) -> int:
        # Never O_CREAT: an unplugged printer must not turn into a file that swallows slips.
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY
        try:
            return os.open(self.device, flags)
        except OSError as exc:
            raise self._open_error(exc) from exc

    def _open_error(self, exc: OSError) -> PrinterError:
        where = str(self.device)
        if exc.errno == errno.ENOENT:
            return PrinterMissing(f"{where} does not exist: is the printer plugged in and on?")
        if exc.errno == errno.ENXIO and stat.S_ISFIFO(_mode(self.device)):
            return PrinterMissing(f"{where} is a pipe that nothing reads from")
        if exc.errno in (errno.ENXIO, errno.ENODEV):
            return PrinterMissing(f"{where}: no printer behind the device (unplugged?)")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return PrinterPermission(
                f"{where}: permission denied; the kiosk's user needs write access "
                "(the lp group, and under systemd a DeviceAllow= line for the device)"
            )
        if exc.errno == errno.EISDIR:
            return PrinterError(f"{where} is a folder, not a printer")
        if exc.errno == errno.EBUSY:
            return PrinterError(f"{where} is in use by another program")
        return PrinterError(f"{where} could not be opened: {_reason(exc)}")

    def _write_all(self, fd: int, data: bytes) -> None:
        deadline = time.monotonic() + self.timeout_s
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        view = memoryview(data)
        while view:
            failing = self._wait(poller, deadline)
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                if failing:
                    raise OSError(errno.EIO, "the device reports an error") from None
        # usblp signals POLLOUT once its last transfer has reached the printer.
        self._wait(poller, deadline)

    def _wait(self, poller: select.poll, deadline: float) -> bool:
        """Wait until the device takes bytes; True when it signals an error or hang-up instead."""
        remaining = deadline - time.monotonic()
        events = poller.poll(max(0, int(remaining * 1000))) if remaining > 0 else []
        if not events:
            raise TimeoutError(errno.ETIMEDOUT, "no bytes taken")
        return any(flags & (select.POLLERR | select.POLLHUP | select.POLLNVAL)
                   for _, flags in events)

    def _write_error(self, fd: int, exc: OSError) -> PrinterError:
        where = str(self.device)
        mode = os.fstat(fd).st_mode
        problem = _port_problem(fd) if stat.S_ISCHR(mode) else None
        if problem is not None:
            return self._problem(problem)
        if isinstance(exc, TimeoutError):
            return PrinterTimeout(
                f"{where} took no bytes for {self.timeout_s:g} s (paper out, lid open, offline?)"
            )
        if exc.errno == errno.ENOSPC and stat.S_ISCHR(mode):
            # usblp answers ENOSPC when the printer is out of paper.
            return PrinterOutOfPaper(f"{where}: out of paper ({_reason(exc)})")
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return PrinterError(f"{where}: the disk is full ({_reason(exc)})")
        if exc.errno in (errno.ENODEV, errno.ENXIO, errno.EPIPE):
            return PrinterMissing(f"{where}: the printer went away while printing "
                                  f"({_reason(exc)})")
        return PrinterError(f"{where}: write failed ({_reason(exc)})")

    def _problem(self, problem: str) -> PrinterError:
        if problem == "paper out":
            return PrinterOutOfPaper(f"{self.device}: the printer reports paper out")
        return PrinterError(f"{self.device}: the printer reports {problem}")


def _port_problem(fd: int) -> str | None:
    """The usblp port status of an open device; None when it is fine or cannot say."""
    try:
        answer = fcntl.ioctl(fd, LPGETSTATUS, struct.pack("i", 0))
    except OSError:
        return None  # not a usblp device (a file, a pipe, a serial line): nothing to ask
    (status,) = struct.unpack("i", answer)
    return port_status_problem(status)


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode
    except OSError:
        return 0


def _reason(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "")
    return f"{exc.strerror or exc}" + (f", {name}" if name else "")


def profile_problem(profile: str) -> str | None:
    """Why ``profile`` is no printer profile python-escpos knows, or None when it is one."""
    from escpos.capabilities import CAPABILITIES

    known = sorted(CAPABILITIES["profiles"])
    return None if profile in known else (f"{profile!r} is not a python-escpos printer profile "
                                          f"(known: {', '.join(known)})")


def open_printer(device: Path | str | None, width: int = 48,
                 profile: str = PROFILE) -> ReceiptPrinter:
    """The printer named by the ``printer_device``, ``printer_width`` and ``printer_profile``
    settings.

    None or an empty string: ``NoPrinter``. Anything else is the device file (or a file or FIFO
    standing in for it); whether it works shows on printing, or with ``check()``.
    """
    if device is None or not str(device).strip():
        return NoPrinter()
    return EscPosPrinter(Path(device).expanduser(), width, profile=profile)
