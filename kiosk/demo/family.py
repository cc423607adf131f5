"""The practice service's own rules for who may act for whom (``family.yaml``), read and checked.

A separate server keeps its own reading of the rules: the kiosk has its own
(kiosk/policy/), and the service never borrows it, so a misreading on one side shows as a
disagreement in the tests instead of passing on both. ``load_family`` checks the file and
names the file, line and field of every mistake; access.py applies the rules to the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.demo.datafile import Lines, load

FAMILY_FILE = Path(__file__).with_name("family.yaml")
ALL = "all"
"""Every area (in the file); on a proxy's RelatedPerson, every area a proxy can be given for."""
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AGE = re.compile(r"^\d{1,3}$")
_PROXY_FIELDS = ("giver_min_age", "proxy_min_age", "areas", "choices",
                 "blocked_by_confidential_address")


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``; a birthday on ``day`` counts (someone born on
    29 February turns a year older on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class ByAge:
    """Areas by age: ``(first age, areas)`` pairs, ascending from 0; each holds until the next."""

    steps: tuple[tuple[int, frozenset[str]], ...]

    def at(self, age: int) -> frozenset[str]:
        return next((areas for start, areas in reversed(self.steps) if age >= start),
                    frozenset())


@dataclass(frozen=True)
class ProxyRules:
    giver_min_age: int
    proxy_min_age: int
    areas: frozenset[str]
    choices: Mapping[str, frozenset[str]]
    blocked_by_confidential_address: bool

    def covers(self, chosen: set[str]) -> frozenset[str]:
        """The areas a proxy recorded with ``chosen`` names covers; unknown names count for
        nothing (a typo, another country's choice)."""
        found = set(self.areas) if ALL in chosen else set()
        for name in chosen & set(self.choices):
            found |= self.choices[name]
        return frozenset(found)


@dataclass(frozen=True)
class CountryRules:
    code: str
    parent: ByAge
    own: ByAge
    proxy: ProxyRules | None
    """None: no general proxy between adults in this country."""


@dataclass(frozen=True)
class FamilyRules:
    areas: tuple[str, ...]
    countries: Mapping[str, CountryRules]

    def country(self, code: str) -> CountryRules:
        if code not in self.countries:
            raise ValueError(f"the practice service has no family rules for country {code!r}"
                             f" (it has {', '.join(sorted(self.countries))}; see"
                             f" {FAMILY_FILE.name})")
        return self.countries[code]


def load_family(path: Path = FAMILY_FILE) -> FamilyRules:
    """Read and check ``family.yaml``; the first mistake is a DataFileError naming its line."""
    data, lines = load(path)
    if not isinstance(data, dict) or set(data) != {"areas", "countries"}:
        raise lines.error((), "must hold exactly areas and countries")
    areas = _area_names(data["areas"], lines)
    reader = _Reader(lines, areas)
    countries = data["countries"]
    if not isinstance(countries, dict) or not countries:
        raise lines.error(("countries",), "must map country codes to their rules")
    return FamilyRules(areas, {
        str(code): reader.country(str(code), spec) for code, spec in countries.items()})


def _area_names(spec: Any, lines: Lines) -> tuple[str, ...]:
    if not isinstance(spec, list) or not spec:
        raise lines.error(("areas",), "must list the service areas")
    seen: list[str] = []
    for i, name in enumerate(spec):
        if not isinstance(name, str) or not _NAME.match(name) or name == ALL:
            raise lines.error(("areas", i), f"{name!r} is not an area name (lower case, not"
                                            f" '{ALL}')")
        if name in seen:
            raise lines.error(("areas", i), f"{name!r} is listed twice")
        seen.append(name)
    return tuple(seen)


@dataclass
class _Reader:
    lines: Lines
    known: tuple[str, ...]

    def country(self, code: str, spec: Any) -> CountryRules:
        where = ("countries", code)
        if not _COUNTRY.match(code):
            raise self.lines.error(where, "a country code is two capital letters, such as \"NO\"")
        if not isinstance(spec, dict) or set(spec) != {"parent", "own", "proxy"}:
            raise self.lines.error(where, "must hold exactly parent, own and proxy")
        return CountryRules(code, self.by_age((*where, "parent"), spec["parent"]),
                            self.by_age((*where, "own"), spec["own"]),
                            self.proxy((*where, "proxy"), spec["proxy"]))

    def areas(self, keys: tuple[str | int, ...], spec: Any,
              allowed: frozenset[str] | None = None) -> frozenset[str]:
        """``all`` or a list of known areas (of ``allowed`` when given)."""
        if spec == ALL:
            return frozenset(self.known)
        if not isinstance(spec, list):
            raise self.lines.error(keys, f"must be {ALL} or a list of areas")
        for i, area in enumerate(spec):
            if area not in self.known:
                raise self.lines.error((*keys, i), f"{area!r} is not an area; use one of"
                                                   f" {', '.join(self.known)}")
            if allowed is not None and area not in allowed:
                raise self.lines.error((*keys, i), f"a proxy cannot be given for {area!r};"
                                                   " it is not among the proxy's areas")
            if area in spec[:i]:
                raise self.lines.error((*keys, i), f"{area!r} is listed twice")
        return frozenset(spec)

    def age(self, keys: tuple[str | int, ...], value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 150:
            raise self.lines.error(keys, f"{value!r} is not an age in whole years")
        return value

    def by_age(self, keys: tuple[str, ...], spec: Any) -> ByAge:
        if not isinstance(spec, dict) or not spec:
            raise self.lines.error(keys, "must map ages to areas, \"first age: areas\" from 0 up")
        steps: list[tuple[int, frozenset[str]]] = []
        for raw, areas in spec.items():
            where = (*keys, raw)
            if not _AGE.match(raw):
                raise self.lines.error(where, f"{raw!r} is not an age in whole years")
            age = int(raw)
            if not steps and age != 0:
                raise self.lines.error(where, "the first age must be 0, so every age is covered")
            if steps and age <= steps[-1][0]:
                raise self.lines.error(where, f"ages must go up; {age} comes after"
                                              f" {steps[-1][0]}")
            steps.append((age, self.areas(where, areas)))
        return ByAge(tuple(steps))

    def proxy(self, keys: tuple[str, ...], spec: Any) -> ProxyRules | None:
        if spec is False:
            return None
        if not isinstance(spec, dict) or set(spec) != set(_PROXY_FIELDS):
            raise self.lines.error(keys, f"must be no, or hold exactly"
                                         f" {', '.join(_PROXY_FIELDS)}")
        areas = self.areas((*keys, "areas"), spec["areas"])
        if not areas:
            raise self.lines.error((*keys, "areas"), "a proxy must cover at least one area")
        choices = spec["choices"]
        if not isinstance(choices, dict):
            raise self.lines.error((*keys, "choices"), "must map names to lists of areas")
        chosen: dict[str, frozenset[str]] = {}
        for name, listed in choices.items():
            where = (*keys, "choices", name)
            if not _NAME.match(name) or name == ALL:
                raise self.lines.error(where, f"{name!r} is not a choice name (lower case; '{ALL}'"
                                              " is always offered by itself)")
            if not isinstance(listed, list) or not listed:
                raise self.lines.error(where, "must list the areas this choice covers")
            chosen[name] = self.areas(where, listed, areas)
        blocked = spec["blocked_by_confidential_address"]
        if not isinstance(blocked, bool):
            raise self.lines.error((*keys, "blocked_by_confidential_address"),
                                   "must be yes or no")
        return ProxyRules(self.age((*keys, "giver_min_age"), spec["giver_min_age"]),
                          self.age((*keys, "proxy_min_age"), spec["proxy_min_age"]),
                          areas, chosen, blocked)
