"""Slips in every script the kiosk speaks, through python-escpos: letters a code page of the
printer holds print as text (switching code pages as needed), a paragraph in Arabic script or
with letters no code page holds (Sami ŋ ŧ, Ge'ez) prints as a GS v 0 picture drawn in a font of
this machine, decoded back here to check it is inked at the paper's width; without a font for
a letter nothing is printed and the error names the letter. The QR code and the cut stay
printer commands."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from hardware import slip_image
from hardware.printer import EscPosPrinter, PrinterNoFont
from kiosk.config import ConfigError, Settings
from tests.hardware.escpos_reader import read_receipts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ADDRESS = "https://portal.example.no/timebestilling"
ARABIC = "وجّه كاميرا هاتفك نحو الرمز المربع. سيفتح هذه المهمة في البوابة الصحية على هاتفك."
TIGRINYA = "ካሜራ ተሌፎንኩም ናብቲ ርቡዕ ኮድ ኣቕንዑ።"

needs_dejavu = pytest.mark.skipif(not DEJAVU.is_file(), reason="fonts-dejavu-core")


@dataclass(frozen=True)
class Note:
    title: str
    lines: tuple[str, ...]
    qr: str | None = None


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    device = tmp_path / "lp0"
    device.touch()
    return device


@pytest.fixture
def only_dejavu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine's fonts reduced to DejaVu Sans: Sami and Arabic letters, no Ge'ez."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(DEJAVU, fonts)
    monkeypatch.setattr(slip_image, "FONT_DIRS", (fonts,))


@needs_dejavu
@pytest.mark.parametrize("width", [48, 32])
def test_an_arabic_slip_is_a_picture_at_the_papers_width_with_the_qr_and_the_cut(
    paper: Path, only_dejavu: None, width: int
) -> None:
    EscPosPrinter(paper, width).print_receipt(Note("المتابعة على هاتفي", (ARABIC, ADDRESS),
                                                   ADDRESS))
    data = paper.read_bytes()
    assert b"\x1dv0" in data and b"\x1d(k" in data and ADDRESS.encode() in data
    (slip,) = read_receipts(data)
    title, body = slip.images
    for image in (title, body):
        assert image.width == width * 12 and image.inked > 0
    # Right to left: the lines end at the right edge, where the first word starts.
    inked = [x for row in body.rows for x, dot in enumerate(row) if dot]
    assert max(inked) >= body.width - 16
    assert len(body.rows) > 24, "the long sentence is wrapped onto several lines"
    assert "".join(slip.text).count(ADDRESS) == 1, "the address stays text"
    (qr,) = slip.qr_codes
    assert qr.stored == ADDRESS.encode() and qr.printed
    assert slip.cut == "partial"


@needs_dejavu
def test_code_page_letters_stay_text_and_sami_letters_a_picture(paper: Path,
                                                                  only_dejavu: None) -> None:
    lines = ("Zażółć gęślą jaźń", "Продовжити на моєму телефоні", "Joatkke: čđŋšŧž")
    EscPosPrinter(paper).print_receipt(Note("Fortsett", lines))
    (slip,) = read_receipts(paper.read_bytes())
    assert lines[0] in slip.text and lines[1] in slip.text
    (sami,) = slip.images
    assert sami.inked > 0 and not any("Joatkke" in line for line in slip.text)


@needs_dejavu
def test_without_a_font_for_a_script_nothing_is_printed_and_the_error_says_so(
    paper: Path, only_dejavu: None
) -> None:
    with pytest.raises(PrinterNoFont, match=r"ETHIOPIC.*fonts-noto-core"):
        EscPosPrinter(paper).print_receipt(Note("ብተሌፎነይ ቀጽል", (TIGRINYA,), ADDRESS))
    assert paper.read_bytes() == b"", "no slip of empty boxes"


@needs_dejavu
def test_the_profile_decides_what_is_text(paper: Path, only_dejavu: None) -> None:
    # The "simple" profile has code page 437 only: Polish letters become a picture there.
    EscPosPrinter(paper, profile="simple").print_receipt(Note("Fortsett", ("Zażółć gęślą",)))
    (slip,) = read_receipts(paper.read_bytes())
    assert "Zażółć gęślą" not in slip.text and len(slip.images) == 1


def test_an_unknown_profile_is_refused_at_start(tmp_path: Path, paper: Path) -> None:
    with pytest.raises(ConfigError, match=r"printer_profile.*TM-T88V"):
        Settings(state_dir=tmp_path, printer_device=paper, printer_profile="TM-X9000")
    assert Settings(state_dir=tmp_path, printer_profile="TM-X9000").printer_device is None


ETHIOPIC = Path("/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf")


@pytest.mark.skipif(not ETHIOPIC.is_file(), reason="fonts-noto-core (helselos.sh installs it)")
def test_a_tigrinya_slip_is_a_picture_in_an_ethiopic_font(paper: Path) -> None:
    EscPosPrinter(paper).print_receipt(Note("ብተሌፎነይ ቀጽል", (TIGRINYA, ADDRESS), ADDRESS))
    (slip,) = read_receipts(paper.read_bytes())
    title, body = slip.images
    assert title.inked > 0 and body.inked > 0
    assert "".join(slip.text).count(ADDRESS) == 1, "the address stays text"
    assert slip.qr_codes and slip.cut == "partial"
