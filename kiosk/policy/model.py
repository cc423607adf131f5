"""The shape of the access rules once loaded: immutable dataclasses built by ``schema``.

Reasons (``reason``, ``refusals``, ``reasons``) hold English msgids from ``reasons``, not
their names; the UI translates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROXY_OUTCOMES: tuple[str, ...] = (
    "allowed",
    "narrowed",
    "giver_too_young",
    "proxy_too_young",
    "ended",
    "giver_confidential_address",
    "confidential_address",
    "nothing_to_give",
    "not_covered",
)
"""Every outcome of an adult proxy decision; a country offering proxies names a reason for each."""


@dataclass(frozen=True)
class AgeBand:
    """What a relationship allows while the person concerned is from ``start`` to ``end``."""

    id: str
    start: int
    """First age (whole years) the band covers."""
    end: int | None
    """First age the band no longer covers; None: no upper limit."""
    areas: frozenset[str]
    reason: str
    refusals: Mapping[str, str]
    """Area -> a more precise reason when that area is refused in this band."""

    def covers(self, age: int) -> bool:
        return self.start <= age and (self.end is None or age < self.end)


@dataclass(frozen=True)
class AdultProxyRules:
    """A country that offers proxies between adults (fullmakt)."""

    giver_min_age: int
    proxy_min_age: int
    areas: frozenset[str]
    """The areas a proxy can be given for."""
    confidential_address_blocks: bool
    reasons: Mapping[str, str]
    """One msgid for each name in PROXY_OUTCOMES."""
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """What a citizen giving a proxy chooses from besides every area (``all``): name -> the
    areas it covers. The names are what a registered proxy records."""


@dataclass(frozen=True)
class NoAdultProxy:
    """A country without a general proxy between adults."""

    reason: str


@dataclass(frozen=True)
class CountryRules:
    code: str
    adult_proxy: AdultProxyRules | NoAdultProxy
    guardian: tuple[AgeBand, ...]
    """A parent (guardian) acting for a child, by the child's age. Bands follow each other
    without gaps from age 0; the last has no end."""
    own_access: tuple[AgeBand, ...]
    """What a person may use themselves, by their own age (same band rules)."""


@dataclass(frozen=True)
class Rules:
    """A whole, valid rules file."""

    path: Path
    areas: tuple[str, ...]
    countries: Mapping[str, CountryRules]
