"""The practice banner: during a practice visit every screen says, at the top, that it is practice
and that nothing is sent, so no one takes a made-up person's record for a real one."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.widgets.reading_order import drawn
from translations.catalog import N_, Localizer

PRACTICE_BANNER = N_("PRACTICE: made-up people. Nothing is sent to the health service.")


class PracticeBanner(Static):
    """Hidden unless a practice visit is under way."""

    def __init__(self) -> None:
        super().__init__("", markup=False, id="practice-banner")
        self.display = False

    def show(self, practice: bool, l10n: Localizer) -> None:
        self.display = practice
        if practice:
            self.update(drawn(l10n.gettext(PRACTICE_BANNER), l10n.display))
