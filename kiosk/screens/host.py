"""What a view may read from the app that hosts it, typed: the settings, the runtime, the
language of the moment and the text size. Views ask for everything else through messages
(kiosk.messages).

A Protocol, so that views do not import the app (the app imports them): the app has these
attributes, and a view's ``host`` gives them to it with their types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.config import Settings
    from kiosk.runtime import Runtime
    from translations.catalog import Localizer


class KioskHost(Protocol):
    """The app, as its views see it."""

    @property
    def settings(self) -> Settings:
        """Known from the start (the welcome view is drawn from them alone)."""
        ...

    @property
    def runtime(self) -> Runtime:
        """Built just after the welcome view is drawn; every later view can rely on it."""
        ...

    @property
    def speech_problem(self) -> str | None:
        """Why the kiosk runs silent although speech is on (None while starting)."""
        ...

    @property
    def voice_hint(self) -> str | None:
        """How to answer by voice here and now (translated), or None when the kiosk cannot
        listen in the current language: a view says "you can say" only when it is true."""
        ...

    @property
    def l10n(self) -> Localizer: ...

    @property
    def large_text(self) -> bool: ...
