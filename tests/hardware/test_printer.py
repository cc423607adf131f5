"""The receipt printer writing real ESC/POS bytes into files, FIFOs and device files.

No printer exists here, so the device is what usblp would be replaced by: a regular file or a
FIFO given as the device path. The same code path writes to it; the bytes are decoded again by
tests/hardware/escpos_reader.py.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hardware.printer import (
    LP_NO_ERROR,
    LP_PAPER_OUT,
    LP_SELECTED,
    EscPosPrinter,
    NoPrinter,
    PrinterError,
    PrinterMissing,
    PrinterNotConfigured,
    PrinterOutOfPaper,
    PrinterPermission,
    PrinterTimeout,
    open_printer,
    port_status_problem,
)
from tests.hardware.escpos_reader import Printed, read_receipts
from tests.privileges import shared_folder, unprivileged

REPO = Path(__file__).resolve().parents[2]
NOT_WORKING = "The printer is not working. Please ask a staff member for help."
ADDRESS = "https://helse.example.no/portal/fortsett-senere-med-en-lang-adresse"


@dataclass(frozen=True)
class Note:
    title: str
    lines: tuple[str, ...]
    qr: str | None = None


NOTE = Note(
    title="Bestill time hos fastlegen",
    lines=(
        "Helsetjenesten svarer ikke. Prøv igjen om et minutt, eller spør en ansatt om hjelp.",
        "Blåbærsyltetøy, ÆØÅ æøå, Ää Öö",
        "Sámi: čđŋšŧž ✓",
        ADDRESS,
    ),
    qr=ADDRESS,
)


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """An empty regular file standing in for /dev/usb/lp0."""
    device = tmp_path / "lp0"
    device.touch()
    return device


def printed(device: Path) -> list[Printed]:
    return read_receipts(device.read_bytes())


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    with shared_folder("helselos-printer-") as top:
        yield top


def test_a_receipt_is_real_escpos_with_norwegian_letters_a_qr_code_and_a_cut(
    paper: Path,
) -> None:
    EscPosPrinter(paper, 48).print_receipt(NOTE)
    data = paper.read_bytes()
    assert data.startswith(b"\x1b@"), "initialise first"
    (receipt,) = read_receipts(data)
    heading = [line for line in receipt.lines if line.double]
    assert " ".join(line.text for line in heading) == NOTE.title
    assert all(line.bold and line.centred and len(line.text) <= 24 for line in heading)
    body = [line for line in receipt.lines if not line.double]
    assert all(not line.bold and len(line.text) <= 48 for line in body)
    text = "\n".join(receipt.text)
    assert "Blåbærsyltetøy, ÆØÅ æøå, Ää Öö" in text
    # ŋ and ŧ are in no code page of the printer: that paragraph is a picture, not "?".
    assert "Sámi" not in text and "?" not in text
    (sami,) = receipt.images
    assert sami.width == 48 * 12 and sami.inked > 0
    assert "Prøv igjen om et minutt" in text.replace("\n", " ")
    assert "".join(receipt.text).count(ADDRESS) == 1, "the address is broken, not hyphenated"
    (qr,) = receipt.qr_codes
    assert (qr.model, qr.error_correction, qr.printed) == (2, "M", True)
    assert qr.stored == ADDRESS.encode()
    assert qr.module_dots is not None and 3 <= qr.module_dots <= 6
    assert receipt.cut == "partial" and receipt.fed_lines >= 2
    assert data.endswith(b"\x1dVB\x00")


def test_the_width_follows_the_paper(paper: Path) -> None:
    EscPosPrinter(paper, 32).print_receipt(NOTE)
    (receipt,) = printed(paper)
    assert max(len(line.text) for line in receipt.lines if line.double) <= 16
    assert max(len(line.text) for line in receipt.lines) <= 32
    assert any(len(line.text) == 32 for line in receipt.lines), "the long address fills lines"
    (qr,) = receipt.qr_codes
    assert qr.stored == ADDRESS.encode()


def test_each_receipt_is_appended_and_stands_on_its_own(paper: Path) -> None:
    printer = EscPosPrinter(paper)
    printer.print_receipt(NOTE)
    printer.print_receipt(Note(title="Andre", lines=("", "Uten kode")))
    first, second = printed(paper)
    assert first.qr_codes and not second.qr_codes
    assert second.text[0] == "Andre" and "Uten kode" in second.text
    assert second.cut == "partial"


def test_text_cannot_smuggle_printer_commands(paper: Path) -> None:
    EscPosPrinter(paper).print_receipt(Note(title="A\x1bVB", lines=("x\x1d!\x11y\nz",)))
    (receipt,) = printed(paper)  # the reader refuses any stray command
    assert receipt.text[0] == "A VB"
    assert "x ! y z" in receipt.text


def test_a_qr_payload_too_big_for_the_paper_is_refused_before_printing(paper: Path) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        EscPosPrinter(paper, 32).print_receipt(Note("t", (), qr="x" * 2000))
    assert paper.read_bytes() == b""


def test_a_missing_device_is_reported_and_never_created(tmp_path: Path) -> None:
    device = tmp_path / "usb" / "lp0"
    printer = EscPosPrinter(device)
    assert not printer.available
    with pytest.raises(PrinterMissing) as caught:
        printer.print_receipt(NOTE)
    assert caught.value.msgid == NOT_WORKING
    assert str(device) in str(caught.value) and "plugged in" in str(caught.value)
    with pytest.raises(PrinterMissing):
        printer.check()
    assert not device.exists() and not device.parent.exists()


def test_a_read_only_device_is_a_permission_error(shared_dir: Path) -> None:
    device = shared_dir / "lp0"
    device.touch()
    device.chmod(0o444)
    printer = EscPosPrinter(device)
    with unprivileged():
        assert not printer.available
        with pytest.raises(PrinterPermission) as caught:
            printer.print_receipt(NOTE)
        with pytest.raises(PrinterPermission):
            printer.check()
    assert caught.value.msgid == NOT_WORKING
    assert "permission denied" in str(caught.value) and "lp group" in str(caught.value)
    assert device.read_bytes() == b""


def test_a_device_in_a_folder_the_kiosk_may_not_enter(shared_dir: Path) -> None:
    locked = shared_dir / "usb"
    locked.mkdir()
    device = locked / "lp0"
    device.touch()
    device.chmod(0o666)
    locked.chmod(0o000)
    try:
        with unprivileged(), pytest.raises(PrinterPermission):
            EscPosPrinter(device).print_receipt(NOTE)
    finally:
        locked.chmod(0o700)
    assert device.read_bytes() == b""


def test_a_folder_is_not_a_printer(tmp_path: Path) -> None:
    with pytest.raises(PrinterError, match="is a folder"):
        EscPosPrinter(tmp_path).print_receipt(NOTE)


@pytest.mark.timeout(30)
def test_a_pipe_nobody_reads_fails_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    printer = EscPosPrinter(fifo)
    with pytest.raises(PrinterMissing, match="nothing reads"):
        printer.print_receipt(NOTE)
    with pytest.raises(PrinterMissing, match="nothing reads"):
        printer.check()


@pytest.mark.timeout(30)
def test_a_pipe_with_a_reader_gets_the_receipt(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        printer = EscPosPrinter(fifo)
        assert printer.check().startswith("receipts go as ESC/POS bytes into the pipe")
        printer.print_receipt(NOTE)
        received = bytearray()
        while chunk := os.read(reader, 65536):  # the writer is closed: ends at end of file
            received.extend(chunk)
    finally:
        os.close(reader)
    (receipt,) = read_receipts(bytes(received))
    assert receipt.qr_codes[0].stored == ADDRESS.encode()


@pytest.mark.timeout(30)
def test_a_device_that_stops_taking_bytes_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    # A reader that never reads, and a pipe of one page: like a printer that stopped.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
        long = Note(title="Lang", lines=tuple(f"Linje {n} med hemmelig tekst" for n in range(400)))
        with pytest.raises(PrinterTimeout) as caught:
            EscPosPrinter(fifo, timeout_s=0.2).print_receipt(long)
    finally:
        os.close(reader)
    assert caught.value.msgid == NOT_WORKING
    assert "took no bytes for 0.2 s" in str(caught.value)
    assert "hemmelig" not in str(caught.value), "what was printed never goes into the error"


def test_a_device_that_answers_no_space_is_out_of_paper() -> None:
    # usblp answers ENOSPC when the printer has no paper; /dev/full is a character device that
    # always answers ENOSPC.
    full = Path("/dev/full")
    if not full.is_char_device():
        pytest.skip("this machine has no /dev/full")
    with pytest.raises(PrinterOutOfPaper) as caught:
        EscPosPrinter(full).print_receipt(NOTE)
    assert caught.value.msgid == "The printer is out of paper. Please ask a staff member for help."
    assert "/dev/full: out of paper" in str(caught.value)


def test_a_file_on_a_full_disk_is_a_write_error(paper: Path) -> None:
    # A file-size limit makes the kernel refuse the write the way a full disk does.
    script = textwrap.dedent(
        f"""
        import resource, signal
        from pathlib import Path
        from hardware.printer import EscPosPrinter, PrinterError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
        try:
            EscPosPrinter(Path({str(paper)!r})).print_receipt(
                type("N", (), {{"title": "t", "lines": ("x" * 200,), "qr": None}})())
        except PrinterError as exc:
            print(type(exc).__name__, exc)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"PrinterError {paper}: the disk is full"), result.stdout


def test_a_character_device_that_is_not_a_usb_printer_checks_as_ready() -> None:
    null = Path("/dev/null")
    printer = EscPosPrinter(null, 32)
    assert printer.available
    assert printer.check() == "ESC/POS printer at /dev/null (58 mm, 32 characters): writable, ready"
    printer.print_receipt(NOTE)


def test_a_file_printer_checks_without_printing(paper: Path) -> None:
    printer = EscPosPrinter(paper)
    assert printer.available
    assert printer.check() == f"receipts are written as ESC/POS bytes into the file {paper}"
    assert paper.read_bytes() == b""


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (LP_SELECTED | LP_NO_ERROR, None),
        (LP_SELECTED | LP_NO_ERROR | 0x80, None),
        (LP_SELECTED | LP_NO_ERROR | LP_PAPER_OUT, "paper out"),
        (LP_PAPER_OUT, "paper out"),
        (LP_NO_ERROR, "offline"),
        (LP_SELECTED, "an error (lid open or paper jam?)"),
    ],
)
def test_the_usblp_port_status_byte(status: int, problem: str | None) -> None:
    assert port_status_problem(status) == problem


def test_no_printer_is_unavailable_and_says_so() -> None:
    printer = NoPrinter()
    assert not printer.available
    with pytest.raises(PrinterNotConfigured) as caught:
        printer.print_receipt(NOTE)
    assert caught.value.msgid == "This kiosk has no printer. Please ask a staff member for help."
    with pytest.raises(PrinterNotConfigured, match="printer_device is empty"):
        printer.check()


def test_open_printer_follows_the_settings(paper: Path) -> None:
    assert isinstance(open_printer(None), NoPrinter)
    assert isinstance(open_printer(""), NoPrinter)
    assert isinstance(open_printer("  "), NoPrinter)
    printer = open_printer(paper, 32)
    assert isinstance(printer, EscPosPrinter)
    assert (printer.device, printer.width) == (paper, 32)
    assert printer.description == f"ESC/POS printer at {paper} (58 mm, 32 characters)"
    assert open_printer(str(paper)).width == 48


def test_nonsense_printer_parameters_are_refused(paper: Path) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        EscPosPrinter(paper, 8)
    with pytest.raises(ValueError, match="positive"):
        EscPosPrinter(paper, timeout_s=0)


def test_errors_name_their_errno(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as caught:
        EscPosPrinter(tmp_path / "lp0").print_receipt(NOTE)
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.ENOENT
