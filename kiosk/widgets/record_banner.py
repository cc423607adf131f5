"""The record banner: while the citizen acts for someone else, every screen names whose health
record is open, so nobody books or reads in the wrong person's name by mistake."""

from __future__ import annotations

from textual.widgets import Static

SYNC_S = 0.25
"""How often the banner looks at the Session: the choice is made by a worker, not a screen."""


class RecordBanner(Static):
    """Hidden unless ``session.acting_for`` is set; then shows that person's name."""

    def __init__(self) -> None:
        super().__init__("", markup=False, id="record-banner")
        self._shown: tuple[str, str] | None = None

    def on_mount(self) -> None:
        self.sync()
        self.set_interval(SYNC_S, self.sync)

    def sync(self) -> None:
        """Show or hide the banner to match the Session."""
        acting = self.app.runtime.session.acting_for  # type: ignore[attr-defined]
        l10n = self.app.l10n  # type: ignore[attr-defined]
        wanted = None if acting is None else (acting.display_name, l10n.lang)
        if wanted == self._shown and self.display == (wanted is not None):
            return
        self._shown = wanted
        self.display = acting is not None
        if acting is not None:
            self.update(l10n.format("You are using the health record of: {name}",
                                    name=acting.display_name))
