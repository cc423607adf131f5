"""The language screen: every shipped language in its own name; languages without a voice say so
(EN 5.1.3.14)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button

from kiosk.screens.base import KioskScreen
from kiosk.widgets.big_button import BigButton
from kiosk.widgets.say import Say
from translations.languages import LANGUAGES


class LanguageScreen(KioskScreen):
    """Choose the language; the choice applies at once and the menu follows."""

    CSS_PATH = "language.tcss"

    def compose_body(self) -> ComposeResult:
        l10n = self.l10n
        voice = self.app.runtime.voice  # type: ignore[attr-defined]
        yield Say(l10n.gettext("Choose your language"), classes="title")
        with Grid(classes="tiles"):
            for number, language in enumerate(LANGUAGES.values(), start=1):
                text = language.native_name
                if not voice.has_voice(language.code):
                    text = l10n.format("{language} (text only, no speech)", language=text)
                yield BigButton(number, text, value=language.code, id=f"lang-{language.code}")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, BigButton) and event.button.value:
            event.stop()
            # The app replaces this screen, which must not wait for its own removal.
            self.app.call_later(self.app.choose_language, event.button.value)  # type: ignore[attr-defined]
