"""Machine translation where a task shows or sends dynamic text: the GP office's messages and
alerts into the citizen's language, and the citizen's message into the office's.

Runs inside the service call, in the step view's worker, never on the screen's thread. Each
result is cached in the session (``Session.translated``), so it is made once per visit and
wiped with it. No pair, or a failed engine, leaves the text as it was written. A worker that
wants to say it is translating (a real model may take seconds) runs the call inside
``translating_cue``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from babel import Locale, UnknownLocaleError

from kiosk.services.tasks.common import TaskContext
from translations.catalog import N_, Localizer
from translations.mt import NoPair

SENT_LABEL = N_("Machine-translated from {language}: {text}")
"""Before the translation the GP office receives under the citizen's original message."""

_cue: ContextVar[Callable[[], object] | None] = ContextVar("translating_cue", default=None)


@contextmanager
def translating_cue(cue: Callable[[], object]) -> Iterator[None]:
    """Within it, cue() is called once, in the calling thread, just before the first text that
    is not yet in the visit's cache is machine-translated; never for a cache hit or when no
    pair translates (nothing then takes long)."""
    token = _cue.set(cue)
    try:
        yield
    finally:
        _cue.reset(token)


def _translated(context: TaskContext, session: Any, text: str, source: str,
                target: str) -> str | None:
    translator = context.translator
    if translator is None or source == target or not text.strip():
        return None
    cue = _cue.get()
    if (cue is not None and (text, source, target) not in session.translated
            and translator.can_translate(source, target)):
        _cue.set(None)  # once: the cue stays shown until the work is done
        cue()
    try:
        translation = translator.translate(text, source, target, session.translated)
    except NoPair:
        return None
    return None if translation.failed else translation.text


def for_citizen(context: TaskContext, session: Any, text: str) -> tuple[str, str]:
    """An Option's ``label`` and ``original`` for the office's text: its machine translation
    into the citizen's language and the text itself, or the text and "" when there is none."""
    translated = _translated(context, session, text, context.office_language,
                             session.prefs.language)
    return (text, "") if translated is None else (translated, text)


def for_office(context: TaskContext, session: Any, text: str) -> str | None:
    """The citizen's text translated into the office's language and labelled as such, or None
    when it is written in that language already or cannot be translated."""
    source, office = session.prefs.language, context.office_language
    translated = _translated(context, session, text, source, office)
    if translated is None:
        return None
    try:
        language = Locale.parse(office).languages.get(source, source)
    except UnknownLocaleError:
        language = source
    return Localizer(office).format(SENT_LABEL, language=language, text=translated)
