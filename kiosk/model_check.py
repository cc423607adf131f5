"""Whether a speech model suits the kiosk in a language: it loads (in a child process, see
speech.model_probe) and it knows the words the kiosk listens for on every screen in that
language. A Vosk model for another language loads fine and hears nothing the kiosk says: most
of the everyday words missing from its vocabulary is how that shows. Used by ``kiosk models
add`` (a model that fails is not installed) and ``kiosk doctor``."""

from __future__ import annotations

from pathlib import Path

from kiosk.voice_grammar import everyday_phrases
from speech.model_probe import Probe, probe_model
from speech.models import Engine
from speech.recognizer import ModelError
from translations.catalog import Localizer, UnknownLanguage


def everyday_words(language: str) -> list[str] | None:
    """The everyday phrases in words (digits are for engines that write them); None when the
    kiosk does not offer the language, so there is nothing to check a model against."""
    try:
        l10n = Localizer(language)
    except UnknownLanguage:
        return None
    return [p for p in everyday_phrases(l10n) if not any(c.isdigit() for c in p)]


def check_model(path: Path, language: str, engine: Engine | None = None) -> Probe:
    """Load the model and check its language; raises ModelError in plain words."""
    words = everyday_words(language)
    probe = probe_model(path, language, words or (), engine)
    if words and 2 * len(probe.unheard) > len(words):
        name = Localizer(language).language.english_name
        raise ModelError(
            f"The speech model in {path} does not seem to be a model for {name} ({language}): "
            f"it cannot hear {len(probe.unheard)} of the {len(words)} words the kiosk listens "
            f"for on every screen (e.g. {', '.join(probe.unheard[:4])}). Add a model for "
            f"{name}, or give the model's own language with --language.")
    return probe
