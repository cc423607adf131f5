"""Decide who may act for whom, and in which service areas, under one country's rules.

Three questions, each answered with a Decision (allowed, the areas, a plain-language reason
as an English msgid, and the id of the rule applied):

- ``adult_proxy``: may this proxy (fullmakt) be registered, or used, on this date?
- ``guardian``: what may a parent use for their child, given the child's age on this date?
- ``own_access``: what may a person use themselves, given their age on this date?

A proxy is given for ``all`` or for some of the country's ``choices`` (``proxy_areas`` says
which areas those names cover), and never covers more than the giver may use themselves on
the day: ``adult_proxy`` narrows it to the giver's own access by age, and further to what the
giver's account allows when the caller knows it.

Every number, area and reason comes from ``rules.yaml``; this module only applies them.
A decision never holds a birth date or any other personal detail, so it may be logged by rule.
The caller establishes the facts (parental responsibility, a confidential address); the
policy says what follows from them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from kiosk.policy.model import AdultProxyRules, AgeBand, CountryRules, NoAdultProxy, Rules
from kiosk.policy.schema import ALL, PolicyError, PolicyErrors, read_rules

__all__ = [
    "ALL",
    "RULES_FILE",
    "Decision",
    "Policy",
    "PolicyError",
    "PolicyErrors",
    "ProxyGrant",
    "age_on",
    "area_names",
    "check_rules",
    "load_rules",
    "policy_for",
]

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


@dataclass(frozen=True)
class Decision:
    """The answer to one access question; safe to show, speak and log."""

    allowed: bool
    areas: frozenset[str]
    """Every area the relationship covers on that date (empty when it covers none). When one
    area was asked about, ``allowed`` says whether it is among them."""
    reason: str
    """English msgid in plain language; translate it for the citizen."""
    rule: str
    """The rule applied, e.g. ``NO.guardian.age_12_to_15``; never personal data."""


@dataclass(frozen=True)
class ProxyGrant:
    """A proxy between two adults, as registered or as asked for."""

    giver_birth: date
    proxy_birth: date
    areas: frozenset[str]
    valid_until: date | None = None
    """Last day the proxy may be used; None: open-ended."""
    giver_confidential_address: bool = False
    """The giver's address is confidential (their Patient is marked restricted)."""
    proxy_confidential_address: bool = False


def age_on(birth: date, on: date) -> int:
    """Whole years from birth to on; a birthday on ``on`` counts.

    Someone born on 29 February is a year older on 1 March in years without that day.
    """
    if birth > on:
        raise ValueError("the birth date is after the day of the decision")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Policy:
    """One country's rules, ready to answer questions."""

    def __init__(self, rules: Rules, country: str) -> None:
        if country not in rules.countries:
            known = ", ".join(sorted(rules.countries))
            raise PolicyError(
                rules.path, 0, "countries",
                f"there are no rules for country '{country}'. Countries in the file: {known}.",
            )
        self.areas: tuple[str, ...] = rules.areas
        self.country: str = country
        self._rules: CountryRules = rules.countries[country]

    @property
    def proxy_choices(self) -> tuple[str, ...]:
        """What a proxy may be given for one by one, besides ``ALL``; none in a country
        without proxies between adults."""
        rules = self._rules.adult_proxy
        return () if isinstance(rules, NoAdultProxy) else tuple(rules.choices)

    def proxy_areas(self, chosen: Collection[str]) -> frozenset[str]:
        """The areas a proxy given for ``chosen`` (``ALL`` and names of ``proxy_choices``)
        covers. An unknown name is a ValueError: the caller drops names it cannot vouch for.
        In a country without proxies ``ALL`` is every area, so the decision can say no."""
        rules = self._rules.adult_proxy
        choices = {} if isinstance(rules, NoAdultProxy) else rules.choices
        unknown = sorted(set(chosen) - {ALL, *choices})
        if unknown:
            raise ValueError(f"unknown proxy choice {', '.join(unknown)}; the rules offer"
                             f" {', '.join((ALL, *choices))}")
        if ALL in chosen:
            return frozenset(self.areas) if isinstance(rules, NoAdultProxy) else rules.areas
        return frozenset().union(*(choices[name] for name in chosen))

    def adult_proxy(
        self,
        grant: ProxyGrant,
        on: date,
        *,
        area: str | None = None,
        giver_areas: Collection[str] | None = None,
    ) -> Decision:
        """May the proxy act for the giver on this date (in ``area``, when given)?

        The proxy covers the areas asked for that the country allows a proxy for and the giver
        can use themselves on that date (narrowed further by ``giver_areas``, what the giver's
        own account allows, when known): a proxy never gets more than the giver has.
        """
        self._known(grant.areas, "grant.areas")
        if not grant.areas:
            raise ValueError("a proxy grant needs at least one area")
        if area is not None:
            self._known([area], "area")
        if giver_areas is not None:
            self._known(giver_areas, "giver_areas")
        rules = self._rules.adult_proxy
        if isinstance(rules, NoAdultProxy):
            return self._refuse(rules.reason, "adult_proxy.unavailable")
        refusal = self._proxy_refusal(rules, grant, on)
        if refusal is not None:
            return self._refuse(rules.reasons[refusal], f"adult_proxy.{refusal}")
        giver_has = self.own_access(grant.giver_birth, on).areas
        if giver_areas is not None:
            giver_has &= frozenset(giver_areas)
        covered = grant.areas & rules.areas & giver_has
        if not covered:
            return self._refuse(rules.reasons["nothing_to_give"], "adult_proxy.nothing_to_give")
        if area is not None and area not in covered:
            return self._decide(False, covered, rules.reasons["not_covered"],
                                "adult_proxy.not_covered")
        outcome = "allowed" if covered == grant.areas else "narrowed"
        return self._decide(True, covered, rules.reasons[outcome], f"adult_proxy.{outcome}")

    def guardian(self, child_birth: date, on: date, *, area: str | None = None) -> Decision:
        """What a parent with parental responsibility may use for the child on this date."""
        return self._by_age(self._rules.guardian, "guardian", child_birth, on, area)

    def own_access(self, birth: date, on: date, *, area: str | None = None) -> Decision:
        """What a person may use themselves on this date, by their age."""
        return self._by_age(self._rules.own_access, "own_access", birth, on, area)

    def _proxy_refusal(self, rules: AdultProxyRules, grant: ProxyGrant, on: date) -> str | None:
        """The name of the first rule that stops this proxy, or None."""
        if rules.confidential_address_blocks and grant.giver_confidential_address:
            return "giver_confidential_address"
        if rules.confidential_address_blocks and grant.proxy_confidential_address:
            return "confidential_address"
        if age_on(grant.giver_birth, on) < rules.giver_min_age:
            return "giver_too_young"
        if age_on(grant.proxy_birth, on) < rules.proxy_min_age:
            return "proxy_too_young"
        if grant.valid_until is not None and on > grant.valid_until:
            return "ended"
        return None

    def _by_age(
        self, bands: tuple[AgeBand, ...], relation: str, birth: date, on: date, area: str | None
    ) -> Decision:
        if area is not None:
            self._known([area], "area")
        age = age_on(birth, on)
        band = next(b for b in bands if b.covers(age))
        rule = f"{relation}.{band.id}"
        if area is None:
            return self._decide(bool(band.areas), band.areas, band.reason, rule)
        allowed = area in band.areas
        reason = band.reason if allowed else band.refusals.get(area, band.reason)
        return self._decide(allowed, band.areas, reason, rule)

    def _known(self, areas: Collection[str], what: str) -> None:
        # An unknown area is a programming mistake (a guide naming an area the rules lack),
        # not a refusal: saying "no" would hide the typo.
        unknown = sorted(set(areas) - set(self.areas))
        if unknown:
            raise ValueError(
                f"{what}: unknown area {', '.join(unknown)}; the rules know {', '.join(self.areas)}"
            )

    def _decide(self, allowed: bool, areas: frozenset[str], reason: str, rule: str) -> Decision:
        return Decision(allowed, areas, reason, f"{self.country}.{rule}")

    def _refuse(self, reason: str, rule: str) -> Decision:
        return self._decide(False, frozenset(), reason, rule)


def check_rules(path: Path = RULES_FILE) -> list[PolicyError]:
    """Every problem in a rules file (empty when it is valid)."""
    return read_rules(Path(path))[1]


def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read and check a rules file. Raises PolicyErrors listing every problem in it."""
    rules, errors = read_rules(Path(path))
    if rules is None:
        raise PolicyErrors(errors)
    return rules


@cache
def _bundled() -> Rules:
    return load_rules(RULES_FILE)


def area_names() -> tuple[str, ...]:
    """The service areas of the bundled rules, e.g. for data files that name areas."""
    return _bundled().areas


def policy_for(country: str, path: Path | None = None) -> Policy:
    """The policy of a country (``Settings.country``) from the bundled rules, or from path.

    Raises PolicyErrors when the file is invalid and PolicyError when it lacks the country.
    """
    return Policy(_bundled() if path is None else load_rules(path), country)
