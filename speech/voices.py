"""Which voice speaks a language: one decision, used by the synthesizer, the language screen and
``kiosk doctor`` alike.

In order: a Piper voice installed for the language; the system's espeak-ng voice; an espeak-ng
voice only in the data bundled with piper-tts (Tigrinya); then a neighbour's voice, only where
listeners understand it (Nynorsk text read by the Bokmål voice). Recorded clips
(translations/recordings.py) are played before any of these for the texts that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Literal

from speech import espeak_data
from speech.piper_voices import list_voices
from translations.recordings import Recordings

Engine = Literal["piper", "espeak", "espeak-data"]

NEIGHBOURS: dict[str, str] = {"nn": "nb"}
"""Languages with no voice of their own that a neighbour's voice reads understandably: Nynorsk
read aloud by a Bokmål voice is plain to any Norwegian. Sami, Somali or Tigrinya have no such
neighbour: read by a Norwegian or Amharic voice they would be noise."""


def espeak_name(lang: str) -> str | None:
    """The espeak-ng voice translations/languages.yaml names for lang; lang itself when the
    kiosk does not offer lang (a voice may be installed before its language is offered)."""
    from translations.languages import get_language

    try:
        return get_language(lang).espeak_voice
    except LookupError:
        return lang


def route(lang: str, *, piper: Collection[str], espeak: Collection[str],
          extra: Collection[str], name_for: Callable[[str], str | None] = espeak_name,
          ) -> tuple[Engine, str] | None:
    """(engine, whose voice) that speaks lang, e.g. ("espeak", "nb") for nn; None: no voice.

    ``piper`` are languages with an installed Piper voice, ``espeak`` and ``extra`` voice names
    of the system espeak-ng and of the bundled data.
    """
    for code in (lang, NEIGHBOURS.get(lang)):
        if code is None:
            continue
        if code in piper:
            return "piper", code
        name = name_for(code)
        if name in espeak:
            return "espeak", code
        # The registry names no voice where the system's espeak-ng has none (ti): the bundled
        # data is then looked up by the language code.
        if (name or code) in extra:
            return "espeak-data", code
    return None


def describe(lang: str, chosen: tuple[Engine, str] | None, recordings: int) -> str | None:
    """The shape ``voice_for`` returns, from a route and the number of recorded clips."""
    if chosen is None:
        return "recorded" if recordings else None
    engine, code = chosen
    if code != lang:
        return f"neighbour:{code}"
    return "piper" if engine == "piper" else "espeak"


def voice_for(lang: str, voices_dir: Path | None = None,
              recordings: Recordings | None = None) -> str | None:
    """What speaks lang: "piper" (an installed neural voice), "espeak" (espeak-ng, also its
    bundled data for Tigrinya), "neighbour:nb" (another language's voice, e.g. for nn),
    "recorded" (no voice, but some texts have human recordings: those are spoken, the rest are
    text only), or None (text only, no speech).

    ``voices_dir`` is the Piper voices folder (``Settings.piper_voices_dir``), ``recordings``
    the recorded clips (default: the bundled translations/audio).
    """
    piper = {v.language for v in list_voices(voices_dir)} if voices_dir is not None else set()
    chosen = route(lang, piper=piper, espeak=espeak_data.system_voices(),
                   extra=espeak_data.extra_voices())
    return describe(lang, chosen, (recordings or Recordings()).count(lang))
