"""`kiosk doctor`'s languages table: one row per registered language with what the kiosk can do
in it here (translations.abilities, the list the language screen shows): its text and whether a
fluent speaker has checked it, its voice, whether it listens, and the machine-translation pairs
that bring the GP office's words into it.

A drafted catalog is a warning: the kiosk works, and tells the citizen the text is unchecked.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.config import Settings
from kiosk.doctor import OK, WARN, Check, open_synth
from translations.abilities import Abilities, language_abilities, office_routes
from translations.languages import LANGUAGES


def _spoken(settings: Settings) -> Callable[[str], bool]:
    """Whether a voice speaks each language here; nothing does when espeak-ng cannot start."""
    from speech.synth import SynthError

    try:
        with open_synth(settings) as synth:
            voiced = {code for code in LANGUAGES if synth.has_voice(code)}
    except SynthError:
        voiced = set()
    return voiced.__contains__


def _listens(settings: Settings) -> Callable[[str], bool]:
    from speech.models import find_model

    if settings.voice_input == "off":
        return lambda _code: False
    return lambda code: find_model(settings.speech_models_dir, code) is not None


def language_row(abilities: Abilities) -> Check:
    """ "language se  WARN  Davvisámegiella (Northern Sami), ltr; text drafted; …" """
    language = abilities.language
    pairs = ", ".join(f"{source}-{target}" for source, target in abilities.mt_pairs)
    detail = "; ".join([
        f"{language.native_name} ({language.english_name}), {language.direction}",
        f"text {language.review.describe()}",
        "spoken" if abilities.spoken else "no voice: text only",
        "listens" if abilities.listens else "no speech model",
        f"GP office's words by MT {pairs}" if pairs else "no MT",
    ])
    return Check(f"language {language.code}", WARN if abilities.drafted else OK, detail)


def check_languages(settings: Settings) -> list[Check]:
    """The languages table."""
    from translations.mt import MachineTranslator, engines_for

    translator = MachineTranslator(engines_for(settings.state_dir))
    return [language_row(a) for a in language_abilities(
        _spoken(settings), _listens(settings),
        office_routes(translator, settings.office_language))]
