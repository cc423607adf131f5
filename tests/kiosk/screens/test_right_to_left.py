"""A right-to-left language mirrors the screen: drawn with a pseudo-locale whose every text is
English spelled in Hebrew letters (strong right-to-left characters, so the bidirectional
algorithm really reorders it), registered for this test only as one more language.

The same screens are drawn in English and in the pseudo-locale, and what is measured on the
terminal must be mirrored: the number key stands right of its label, the first tile of a row is
the right one, Next keeps to the right, the help bar reads from the right (Back right of End),
paragraphs align right, and the letters are drawn in visual order while the kiosk speaks them
in logical order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from textual.geometry import Region

import translations.catalog as catalog_module
from kiosk.app import KioskApp
from translations.catalog import DATE_PATTERN, DAY_PATTERN, TIME_PATTERN, WHEN_PATTERN
from translations.catalog import load_catalog as load
from translations.languages import LANGUAGES, Language

PSEUDO = "he"
"""A real right-to-left locale for Babel's dates; the catalog is made up by the test."""
_LETTERS = "אבגדהוזחטיכלמנסעפצקרשתךםןף"
_PLACEHOLDER = re.compile(r"(\{[^}]*\})")
_KEEP = {WHEN_PATTERN, DATE_PATTERN, TIME_PATTERN, DAY_PATTERN}


def pseudo(text: str) -> str:
    """English in Hebrew letters, placeholders kept as they are."""
    pieces = _PLACEHOLDER.split(text)
    return "".join(
        piece if index % 2 else "".join(
            _LETTERS[ord(c.lower()) - ord("a")] if "a" <= c.lower() <= "z" else c
            for c in piece)
        for index, piece in enumerate(pieces))


@pytest.fixture
def right_to_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    english = load("en")
    made = Catalog(locale=PSEUDO)
    for message in english:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            made.add(message.id, tuple(pseudo(message.id[1]) for _ in range(made.num_plurals)))
        else:
            made.add(message.id, message.id if message.id in _KEEP else pseudo(message.id))
    path = tmp_path / f"{PSEUDO}.po"
    with path.open("wb") as handle:
        write_po(handle, made)
    monkeypatch.setitem(LANGUAGES, PSEUDO, Language(
        code=PSEUDO, native_name=pseudo("Pseudo"), english_name="Pseudo right-to-left",
        direction="rtl", espeak_voice="", catalog=path))
    yield
    # The compiled catalogs are cached per code: the made-up one must not outlive the test.
    catalog_module.load_catalog.cache_clear()
    catalog_module._compiled.cache_clear()


@dataclass
class Drawn:
    """Where things landed on the terminal, for one language."""

    rtl_class: bool
    key_right_of_label: bool
    first_tile_x: int
    second_tile_x: int
    prompt_gap_left: int
    prompt_gap_right: int
    next_x: int
    view_width: int
    back_x: int
    end_x: int
    prompt_drawn: str
    prompt_spoken: str


def line_in(app: KioskApp, region: Region) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


async def draw(kd: SimpleNamespace, pilot: Any, language: str) -> Drawn:
    """Walk to the symptoms guide's questions and measure a choice step and the number step."""
    app = pilot.app
    await kd.open_task(pilot, "symptoms", language=language)
    await kd.approve_by_phone(pilot)
    await kd.at_step(pilot, "choice")
    step = kd.view(app)
    yes, no = step.query_one("#choice-yes"), step.query_one("#choice-no")
    label = next(line for line in line_in(app, yes.region) if " 1 " in line)
    key_at, label_at = label.index(" 1 "), label.index(yes.text[-1] if step.shown.rtl
                                                      else yes.text[0])
    prompt = step.query_one("#prompt")
    prompt_line = line_in(app, prompt.content_region)[0]
    drawn = Drawn(
        rtl_class=app.frame.has_class("rtl"),
        key_right_of_label=key_at > label_at,
        first_tile_x=yes.region.x, second_tile_x=no.region.x,
        prompt_gap_left=len(prompt_line) - len(prompt_line.lstrip()),
        prompt_gap_right=len(prompt_line) - len(prompt_line.rstrip()),
        next_x=0, view_width=step.region.width,
        back_x=app.frame.query_one("#help-back").region.x,
        end_x=app.frame.query_one("#help-end").region.x,
        prompt_drawn=prompt_line.strip(), prompt_spoken=prompt.spoken,
    )
    for question in ("cough", "breath", "feeling"):
        await pilot.press("1")
        await kd.wait_until(pilot, lambda q=question: kd.view(app).runner.step.id == q, question)
    await kd.at_step(pilot, "number")
    drawn.next_x = kd.view(app).query_one("#next").region.x - kd.view(app).region.x
    return drawn


async def test_a_right_to_left_language_mirrors_keys_tiles_next_and_alignment(
    kd: SimpleNamespace, app: KioskApp, make_runtime: Any, right_to_left: None
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        ltr = await draw(kd, pilot, "en")
    async with KioskApp(make_runtime()).run_test(size=kd.SIZE) as pilot:
        rtl = await draw(kd, pilot, PSEUDO)

    assert (ltr.rtl_class, rtl.rtl_class) == (False, True)
    # The number key stands where reading starts.
    assert (ltr.key_right_of_label, rtl.key_right_of_label) == (False, True)
    # Tiles fill a row from the side where reading starts: 1 left of 2, or right of 2.
    assert ltr.first_tile_x < ltr.second_tile_x
    assert rtl.first_tile_x > rtl.second_tile_x
    # Paragraphs keep to the reading side.
    assert ltr.prompt_gap_left == 0 < ltr.prompt_gap_right
    assert rtl.prompt_gap_right == 0 < rtl.prompt_gap_left
    # Next keeps to the reading side's end of the row: left in English, right here.
    assert ltr.next_x < ltr.view_width // 2 < rtl.next_x
    # The help bar reads from the right: Back (second) is right of End (last).
    assert ltr.back_x < ltr.end_x
    assert rtl.back_x > rtl.end_x
    # Spoken in logical order, drawn in visual order: the same letters, reversed.
    assert rtl.prompt_spoken == pseudo("Do you have a fever?")
    assert rtl.prompt_drawn == rtl.prompt_spoken[::-1]
    assert ltr.prompt_drawn == ltr.prompt_spoken == "Do you have a fever?"
