"""What each registered language can do on this kiosk, in one place: its text and whether a
fluent speaker has checked it, whether it is spoken, whether the kiosk listens in it, and which
machine-translation pairs reach it.

The language screen and ``kiosk doctor`` both read this list, so what a citizen is promised and
what an operator is told cannot differ. What is installed (a voice, a speech model, a
translation pair) is asked through the callables given: each caller has its own way to know
(the running kiosk asks its voice and listener; the doctor looks on disk).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from translations.languages import LANGUAGES, Language
from translations.mt import MachineTranslator

MtPair = tuple[str, str]
"""A machine-translation pair, (from language, to language)."""


def office_routes(translator: MachineTranslator | None,
                  office_language: str) -> Callable[[str], tuple[MtPair, ...]]:
    """For each language, the installed pairs that bring the GP office's words into it (one
    direct pair, or two through English): what "messages can be machine-translated" promises.
    None for the office's own language, or with no translator or no route."""
    def pairs(code: str) -> tuple[MtPair, ...]:
        if translator is None or code == office_language:
            return ()
        route = translator.route(office_language, code) or ()
        return tuple((hop.source, hop.target) for hop in route)

    return pairs


@dataclass(frozen=True)
class Abilities:
    """One language and what the kiosk can do in it."""

    language: Language
    spoken: bool
    """A voice speaks it (otherwise text only)."""
    listens: bool
    """A speech model for it is installed: the citizen may answer by voice."""
    mt_pairs: tuple[MtPair, ...]
    """The pairs the GP office's words take into it (office_routes); none: not translated."""

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def drafted(self) -> bool:
        """Its catalog is not yet checked by a fluent speaker."""
        return self.language.review.drafted


def language_abilities(
    spoken: Callable[[str], bool],
    listens: Callable[[str], bool],
    mt_pairs: Callable[[str], tuple[MtPair, ...]],
) -> list[Abilities]:
    """Every registered language in the registry's order, with what it can do."""
    return [Abilities(language, spoken(code), listens(code), mt_pairs(code))
            for code, language in LANGUAGES.items()]
