"""Both themes meet their contrast targets for every colour pair the stylesheets use
(WCAG 1.4.3: 4.5:1; 1.4.6: 7:1 in high contrast)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kiosk
from kiosk.themes import CONTRAST_PAIRS, MIN_CONTRAST, THEMES, contrast_ratio, contrast_report


def test_contrast_ratio_matches_known_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_pair_meets_the_theme_target(name: str) -> None:
    report = contrast_report(THEMES[name])
    assert len(report) == len(CONTRAST_PAIRS)
    weak = [(fg, bg, round(ratio, 2)) for fg, bg, ratio in report if ratio < MIN_CONTRAST[name]]
    assert weak == []


def test_stylesheets_use_only_checked_kiosk_colours() -> None:
    used: set[str] = set()
    for sheet in Path(kiosk.__file__).parent.rglob("*.tcss"):
        used |= set(re.findall(r"\$(kiosk-[a-z-]+)", sheet.read_text(encoding="utf-8")))
    checked = {name for pair in CONTRAST_PAIRS for name in pair}
    assert used, "no stylesheet uses the kiosk colours"
    assert used <= checked
    for theme in THEMES.values():
        assert checked <= set(theme.variables)
