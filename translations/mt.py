"""Machine translation of dynamic text (the GP office's messages, alerts, the citizen's own
message): engines behind one interface, the route between two languages, and the per-visit cache.

Only text no catalog can hold goes through here; every result is labelled machine-translated
where it is shown or said. A route is one direct pair, or two pairs through English when no
engine has the direct one. Nothing is downloaded: an engine knows only the pairs installed on
this machine (Apertium's Debian packages, Argos packages the operator added).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

PIVOT = "en"
"""The language two pairs meet in when no direct pair is installed (Argos packages mostly
translate to and from English)."""

Pair = tuple[str, str]


class EngineFailed(Exception):
    """An engine could not translate a text (it crashed, timed out or gave nothing)."""


class NoPair(LookupError):
    """No installed pair, direct or through English, translates between the two languages."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        super().__init__(f"no machine translation from {source!r} to {target!r} is installed "
                         f"(directly or through {PIVOT!r})")


class Engine(Protocol):
    name: str

    def pairs(self) -> frozenset[Pair]:
        """The (source, target) pairs installed on this machine."""
        ...

    def translate(self, text: str, source: str, target: str) -> str:
        """The text in target; EngineFailed when it cannot."""
        ...


@dataclass(frozen=True)
class Hop:
    engine: str
    source: str
    target: str


@dataclass(frozen=True)
class Translation:
    """A text and its machine translation, with how it was made."""

    original: str
    text: str
    """The translation, or the original when an engine failed (``failed``)."""
    source: str
    target: str
    route: tuple[Hop, ...]
    failed: bool = False

    @property
    def pivot(self) -> bool:
        return len(self.route) > 1


Cache = MutableMapping[tuple[str, str, str], Translation]
"""(text, source, target) -> its Translation; held by the Session, so wiped with the visit."""


class MachineTranslator:
    """Picks a route among the engines (earlier engines first) and runs it."""

    def __init__(self, engines: Sequence[Engine]) -> None:
        self.engines = list(engines)

    def _direct(self, source: str, target: str) -> Hop | None:
        for engine in self.engines:
            if (source, target) in engine.pairs():
                return Hop(engine.name, source, target)
        return None

    def route(self, source: str, target: str) -> tuple[Hop, ...] | None:
        """The hops from source to target: one direct pair, else two through English."""
        direct = self._direct(source, target)
        if direct is not None:
            return (direct,)
        if PIVOT in (source, target):
            return None
        first, second = self._direct(source, PIVOT), self._direct(PIVOT, target)
        return (first, second) if first is not None and second is not None else None

    def can_translate(self, source: str, target: str) -> bool:
        return source != target and self.route(source, target) is not None

    def translate(self, text: str, source: str, target: str,
                  cache: Cache | None = None) -> Translation:
        """text in target (NoPair when no route); an engine that fails leaves the original."""
        key = (text, source, target)
        if cache is not None and key in cache:
            return cache[key]
        route = self.route(source, target)
        if route is None:
            raise NoPair(source, target)
        by_name = {engine.name: engine for engine in self.engines}
        result = text
        try:
            for hop in route:
                result = by_name[hop.engine].translate(result, hop.source, hop.target)
        except EngineFailed as exc:
            # The cause only: the text may be personal and never reaches the log.
            log.warning("machine translation %s->%s failed: %s", source, target,
                        type(exc.__cause__ or exc).__name__)
            return Translation(text, text, source, target, route, failed=True)
        translation = Translation(text, result, source, target, route)
        if cache is not None:
            cache[key] = translation
        return translation


def engines_for(state_dir: Path) -> list[Engine]:
    """The kiosk's engines: Apertium first (better than any neural pair between the
    Scandinavian languages), then the Argos packages installed under state_dir."""
    from translations.mt_apertium import Apertium
    from translations.mt_argos import Argos

    return [Apertium(), Argos(state_dir)]


def pairs_installed(lang: str, state_dir: Path) -> list[Pair]:
    """The machine-translation pairs installed for lang (as source or target), sorted: what
    the language registry, the language screen and `kiosk doctor` show as "MT"."""
    return sorted({pair for engine in engines_for(state_dir) for pair in engine.pairs()
                   if lang in pair})
