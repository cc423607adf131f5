"""Paragraphs a receipt printer cannot print as text, drawn as a picture to print instead.

A receipt printer prints text through code pages: one byte a letter, no Arabic shaping and no
right-to-left order, and no code page at all for Ge'ez or the Sami letters ŋ and ŧ. Such a
paragraph is drawn here with Pillow, in a font on this machine that has every letter of it
(shaped and ordered as the screen does it, translations.display), at the paper's width in dots.
When no font has them all the slip is not printed with empty boxes: ``MissingFont`` names the
letter and where fonts for it come from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from translations.display import Display

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_PX = 24
"""Letter height in dots: the printer's own font A is 24 dots high (12 wide)."""
_STYLES = ("bold", "italic", "oblique", "light", "condensed", "mono", "serif")
"""Fonts with these in their name are tried last: a plain sans is easiest to read."""
FONT_PACKAGES = "fonts-noto-core (Arabic, Ge'ez) or fonts-dejavu-core (Sami letters)"


class MissingFont(Exception):
    """No font on this machine has every letter of a paragraph."""


def needs_picture(text: str, printable: Callable[[str], bool]) -> bool:
    """True when ``text`` cannot go as code-page text: a letter of a right-to-left script
    (a printer neither joins nor reorders it), or one ``printable(char)`` says no code page of
    the printer holds."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") or not printable(c)
               for c in text if not c.isspace())


def _fonts() -> Iterator[Path]:
    found = [p for d in FONT_DIRS if d.is_dir() for p in d.rglob("*") if p.suffix.lower()
             in (".ttf", ".otf")]
    yield from sorted(found, key=lambda p: (any(s in p.name.lower() for s in _STYLES), p.name))


@cache
def _letters(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        return frozenset(TTFont(path, lazy=True).getBestCmap() or {})
    except Exception:  # a damaged or unreadable font file is no candidate
        return frozenset()


def font_for(text: str) -> Path:
    """The first font (plain sans first) with every letter of ``text``."""
    needed = {ord(c) for c in text if not c.isspace() and unicodedata.category(c) != "Cc"}
    for path in _fonts():
        if needed <= _letters(path):
            return path
    missing = min(needed - set().union(*(_letters(p) for p in _fonts())), default=None)
    what = (f"{chr(missing)!r} ({unicodedata.name(chr(missing), f'U+{missing:04X}')})"
            if missing is not None else "its letters together")
    raise MissingFont(f"no font on this machine has {what}; install {FONT_PACKAGES}")


def picture(text: str, width_dots: int, *, scale: int = 1) -> Image.Image:
    """``text`` as black on white, wrapped at ``width_dots``, each line in reading order and
    aligned to the side its direction starts from; ``scale`` 2 for a heading."""
    rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    shown = Display("rtl" if rtl else "ltr")
    shaped = shown.shape(" ".join(text.split()))
    font = ImageFont.truetype(str(font_for(shaped)), FONT_PX * scale)
    lines: list[str] = []
    for word in shaped.split(" "):
        # Whole words to a line; a word longer than the paper is cut where it reaches the edge.
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width_dots:
            lines[-1] = candidate
            continue
        while font.getlength(word) > width_dots and len(word) > 1:
            cut = max(i for i in range(1, len(word)) if font.getlength(word[:i]) <= width_dots
                      or i == 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    line_px = int(FONT_PX * scale * 1.4)
    image = Image.new("1", (width_dots, line_px * len(lines)), 1)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        drawn = shown.order(line)
        x = width_dots - font.getlength(drawn) if rtl else 0
        draw.text((max(0, x), row * line_px), drawn, font=font, fill=0)
    return image
