"""The access rules file format (the reference for whoever edits ``rules.yaml``) and its checks.

Every problem is reported as ``file:line: field 'x': what is wrong and how to fix it``, all
problems of the file at once. Ages are whole years on the day a decision is made; a band
covers ``from`` and the ages after it, up to but not including ``until``. A *reason* is the
name of a sentence in ``kiosk/policy/reasons.py`` (where the catalogs pick it up), e.g.
``parent_all_under_12``. (For programmers: the file's typed model is ``RulesFile`` below, read
by kiosk.datafile; the checks beyond types are the functions registered in ``RULES``; the
result is the Rules of kiosk.policy.model.)

Top-level fields
    areas      required  the service areas, e.g. [appointments, messages]; names of letters,
                         digits and ``_``, each listed once
    countries  required  a group of country codes, each in quotes (``"NO":``: unquoted, YAML
                         reads NO as "no"), each with the fields below

A country has
    adult_proxy  required  proxies between adults (fullmakt), see below
    guardian     required  age bands: what a parent may use for a child, by the child's age
    own_access   required  age bands: what a person may use themselves, by their own age

``adult_proxy`` either says the country has none::

    adult_proxy: {available: no, reason: no_adult_proxy_sweden}

or has ``available: yes`` and all of
    giver_min_age                    whole number: youngest age that may give a proxy
    proxy_min_age                    whole number: youngest age that may be a proxy
    areas                            ``all`` or a list: the areas a proxy can be given for
    blocked_by_confidential_address  yes or no: no proxy when either person has one
    reasons                          a reason for each outcome: allowed, narrowed,
                                     giver_too_young, proxy_too_young, ended,
                                     giver_confidential_address (said to the giver, who
                                     knows their own address is protected),
                                     confidential_address (the proxy's own, or said to the
                                     proxy: never says why), nothing_to_give, not_covered
and optionally
    choices                          what a citizen may give a proxy for one by one, besides
                                     ``all`` (every area of ``areas``, always offered): a group
                                     of ``name: [areas]`` lines, e.g. ``records: [vaccines,
                                     records]``; each area one a proxy can be given for. A
                                     registered proxy records these names (or ``all``).

Whatever a proxy was given, it never covers more than the giver may use themselves on the
day (``own_access`` by the giver's age): the policy narrows every proxy to that.

An age band has
    id        required  a name, unique in its list; decisions name it as the rule applied
    from      required  whole number; the first band starts at 0, each next band where the
                        one before it ends
    until     optional  whole number above ``from``; left out on the last band only
    areas     required  ``all``, or a list of areas (``[]``: none)
    reason    required  the reason saying what the band allows
    refusals  optional  area -> a reason given instead of ``reason`` when that area is
                        refused; only for areas the band does not allow
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import Meta

from kiosk.datafile import (
    At,
    DataFileError,
    DataFileErrors,
    Format,
    Rule,
    Rules,
    Says,
    Shape,
    check,
    suggest,
)
from kiosk.policy.model import (
    PROXY_OUTCOMES,
    AdultProxyRules,
    AgeBand,
    CountryRules,
    NoAdultProxy,
)
from kiosk.policy.model import (
    Rules as PolicyRules,
)
from kiosk.policy.reasons import REASONS

ALL = "all"
"""Every area: in a band's or a proxy's ``areas``, and the choice of a proxy for everything."""
OLDEST = 130


class PolicyError(DataFileError):
    """One problem in a rules file, pointing at the line and field to fix."""


class PolicyErrors(DataFileErrors):
    """Every problem found in a rules file."""


# -- the file's model ----------------------------------------------------------------------------

Name = Annotated[str, Meta(pattern=r"\A[A-Za-z_][A-Za-z0-9_]*\Z"), Says(
    wrong="{shown} is not a usable name; use letters, digits and _ only, starting with a letter,"
          " like 'age_12_to_15'.")]
Reason = Annotated[Name, Rule("reason")]
"""The name of a sentence in kiosk/policy/reasons.py."""
Area = Annotated[Name, Rule("area")]
"""One of the file's areas."""
Age = Annotated[int, Meta(ge=0, le=OLDEST), Says(
    wrong="must be an age in whole years such as 16, not {shown}.",
    bad=f"{{value}} is not an age; use a whole number 0 to {OLDEST}.")]
Flag = Annotated[bool, Says(wrong="must be yes or no, not {shown}.")]
_AREAS_WRONG = ("must be 'all' or a list of areas such as [appointments, vaccines] ([] for none),"
                " not {shown}.")
Areas = Annotated[Literal["all"] | tuple[Area, ...], Rule("areas"), Says(wrong=_AREAS_WRONG)]
"""``all``, or a list of areas without repeats."""
ChoiceName = Annotated[Name, Rule("choice_name")]
ChoiceAreas = Annotated[Literal["all"] | tuple[Area, ...], Rule("areas"), Rule("choice_areas"),
                        Says(wrong=_AREAS_WRONG)]
_TWICE = "appears twice; keep only one."


class ProxyReasons(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A reason for each outcome of an adult proxy decision (PROXY_OUTCOMES, in that order)."""

    noun: ClassVar[str] = "reasons (outcome: reason)"

    allowed: Reason
    narrowed: Reason
    giver_too_young: Reason
    proxy_too_young: Reason
    ended: Reason
    giver_confidential_address: Reason
    confidential_address: Reason
    nothing_to_give: Reason
    not_covered: Reason


assert tuple(ProxyReasons.__struct_fields__) == PROXY_OUTCOMES


class AdultProxyFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True,
                     tag_field="available"):
    """``adult_proxy``: ``available: yes`` or ``available: no`` says which of the two it is."""


class ProxyFile(AdultProxyFile, frozen=True, tag="yes"):
    noun: ClassVar[str] = "adult_proxy with available: yes"

    giver_min_age: Age
    proxy_min_age: Age
    areas: Areas
    blocked_by_confidential_address: Flag
    reasons: ProxyReasons
    choices: Annotated[
        dict[ChoiceName, ChoiceAreas], Meta(min_length=1),
        Says(wrong="must be a group of 'name: [areas]' lines, such as 'records: [vaccines,"
                   " records]'.", twice=_TWICE),
    ] = msgspec.field(default_factory=dict)


class NoProxyFile(AdultProxyFile, frozen=True, tag="no"):
    noun: ClassVar[str] = "adult_proxy with available: no"

    reason: Reason


class BandFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    noun: ClassVar[str] = "an age band"

    id: Name
    start: Age = msgspec.field(name="from")
    areas: Areas
    reason: Reason
    until: Age | None = None
    refusals: Annotated[
        dict[Area, Reason],
        Says(wrong="must be a group of 'area: reason' lines.", twice=_TWICE),
    ] = msgspec.field(default_factory=dict)


Bands = Annotated[
    tuple[BandFile, ...], Meta(min_length=1), Rule("bands"),
    Says(wrong="must be a list of age bands, each starting with '- id: ...'."),
]


class CountryFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    noun: ClassVar[str] = "a country (a group of fields)"

    adult_proxy: ProxyFile | NoProxyFile
    guardian: Bands
    own_access: Bands


class RulesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rules file as written."""

    noun: ClassVar[str] = "a rules file (a group of fields)"

    areas: Annotated[
        tuple[Name, ...], Meta(min_length=1), Rule("area_names"),
        Says(wrong="must be a list of area names such as [appointments]."),
    ]
    countries: Annotated[
        dict[Annotated[str, Meta(pattern=r"\A[A-Z]{2}\Z"), Rule("country_code"),
                       Says(wrong='a country code is two capital letters, such as "SE".')],
             CountryFile],
        Meta(min_length=1),
        Says(wrong='must be a group of countries such as "NO": ...',
             twice="appears twice (first on line {first}); keep one."),
    ]


# -- reading it ---------------------------------------------------------------------------------


@dataclass
class Seen:
    """What the rules learn while reading a file: its areas, once they are read."""

    areas: tuple[str, ...] | None = None


class PolicyFormat(Format):
    error = PolicyError

    def empty(self, at: At[Any], shape: Shape) -> None:
        at.error("the file is empty; it needs the fields areas and countries.", field=None,
                 line=1)

    def not_a_mapping(self, at: At[Any], shape: Shape, value: object) -> None:
        if shape.tag_field is not None:
            at.error("adult_proxy must start with available: yes or available: no.",
                     shape.tag_field)
        else:
            super().not_a_mapping(at, shape, value)

    def missing_tag(self, at: At[Any], shape: Shape) -> None:
        allowed: list[str] = []
        for variant in (shape.variants or {}).values():
            if variant.struct is not None:
                allowed += [n for n in variant.struct.allowed if n not in allowed]
        for key in at.value():
            if key not in allowed:
                at.error(f"adult_proxy has no field '{key}'.{suggest(key, allowed)}"
                         f" Allowed fields: {', '.join(allowed)}.", key)
        at.error("is missing; adult_proxy needs it.", shape.tag_field or "", line=at.line())

    def unknown_tag(self, at: At[Any], shape: Shape, value: object) -> None:
        at.error(f"must be yes or no, not {self.shown(at, value)}.")


FORMAT = PolicyFormat()


def read_rules(path: Path) -> tuple[PolicyRules | None, list[PolicyError]]:
    """Read and check a rules file: the Rules (None if anything is wrong) and every problem."""
    loaded = check(path, RulesFile, fmt=FORMAT, rules=RULES, context=Seen())
    errors = [e for e in loaded.errors if isinstance(e, PolicyError)]
    if loaded.value is None:
        return None, errors
    return _rules(loaded.value, Path(path)), errors


def _rules(file: RulesFile, path: Path) -> PolicyRules:
    every = frozenset(file.areas)

    def areas(value: str | tuple[str, ...]) -> frozenset[str]:
        return every if value == ALL else frozenset(value)

    def band(band: BandFile) -> AgeBand:
        return AgeBand(
            id=band.id, start=band.start, end=band.until, areas=areas(band.areas),
            reason=REASONS[band.reason],
            refusals={area: REASONS[reason] for area, reason in band.refusals.items()},
        )

    def proxy(rules: ProxyFile | NoProxyFile) -> AdultProxyRules | NoAdultProxy:
        if isinstance(rules, NoProxyFile):
            return NoAdultProxy(REASONS[rules.reason])
        return AdultProxyRules(
            giver_min_age=rules.giver_min_age, proxy_min_age=rules.proxy_min_age,
            areas=areas(rules.areas),
            confidential_address_blocks=rules.blocked_by_confidential_address,
            reasons={name: REASONS[getattr(rules.reasons, name)] for name in PROXY_OUTCOMES},
            choices={name: areas(value) for name, value in rules.choices.items()},
        )

    return PolicyRules(path=path, areas=tuple(file.areas), countries={
        code: CountryRules(
            code=code, adult_proxy=proxy(country.adult_proxy),
            guardian=tuple(band(b) for b in country.guardian),
            own_access=tuple(band(b) for b in country.own_access),
        ) for code, country in file.countries.items()
    })


# -- the rules ----------------------------------------------------------------------------------

RULES: Rules[Seen] = Rules()


@RULES.check("area_names")
def area_names_differ(names: tuple[str, ...], at: At[Seen]) -> None:
    """Each area once, none called ``all``; the areas the rest of the file may name."""
    usable: list[str] = []
    for index, name in enumerate(names):
        if name == ALL:
            at.error("'all' stands for every area; name the area otherwise.", index)
        elif name in usable:
            at.error(f"'{name}' is listed twice; list each area once.", index)
        else:
            usable.append(name)
    at.context.areas = tuple(usable)


@RULES.check("area")
def known_area(name: str, at: At[Seen]) -> None:
    # Without usable areas every band would repeat the same complaint, so say nothing here.
    known = at.context.areas
    if known and name not in known:
        at.error(f"there is no area '{name}'.{suggest(name, known)} Areas: {', '.join(known)}.")


@RULES.check("areas")
def areas_differ(areas: str | tuple[str, ...], at: At[Seen]) -> None:
    if isinstance(areas, str):
        return
    for index, area in enumerate(areas):
        if area in areas[:index]:
            at.error(f"'{area}' is listed twice; list each area once.", index)


@RULES.check("reason")
def known_reason(name: str, at: At[Seen]) -> None:
    if name not in REASONS:
        at.error(f"there is no reason '{name}'.{suggest(name, REASONS)} Use a name from"
                 " kiosk/policy/reasons.py, or add the sentence there and to the catalogs.")


@RULES.check("country_code")
def country_code_quoted(code: str, at: At[Seen]) -> None:
    if at.doc.key_typed(at.path):
        at.error(f'put the country code in quotes, like "{code}": without them YAML reads'
                 f" {code} as yes or no.")


@RULES.check("choice_name")
def choice_is_not_all(name: str, at: At[Seen]) -> None:
    if name == ALL:
        at.error("'all' is always offered: it is every area of the proxy's areas. Give this"
                 " choice another name.")


@RULES.check("choice_areas")
def choice_lists_areas(areas: str | tuple[str, ...], at: At[Seen]) -> None:
    if areas == ALL:
        at.error("list the areas; 'all' is always offered by itself.")
    elif not areas:
        at.error("must list at least one area.")


def _known(areas: str | tuple[str, ...], at: At[Seen]) -> frozenset[str] | None:
    """The areas ``all`` or a list stands for; None while any of them is unknown or repeated
    (reported where it is written)."""
    known = at.context.areas
    if known is None:
        return None
    if areas == ALL:
        return frozenset(known)
    if len(set(areas)) < len(areas) or not set(areas) <= set(known):
        return None
    return frozenset(areas)


@RULES.check(ProxyFile)
def choices_within_proxy_areas(proxy: ProxyFile, at: At[Seen]) -> None:
    """A choice covers only areas a proxy can be given for."""
    allowed = _known(proxy.areas, at)
    if allowed is None or proxy.areas == ALL:
        return
    for name, areas in proxy.choices.items():
        outside = set(() if areas == ALL else areas) - allowed
        if outside:
            at.error(f"a proxy cannot be given for {', '.join(sorted(outside))}; add it to the"
                     " proxy's areas, or remove it here.", "choices", name)


@RULES.check(BandFile)
def band_is_sound(band: BandFile, at: At[Seen]) -> None:
    """until above from; no refusal for an area the band allows."""
    if band.until is not None and band.until <= band.start:
        at.error(f"must be above from ({band.start}); until is the first age the band no longer"
                 " covers.", "until")
    allowed = _known(band.areas, at)
    for area in band.refusals:
        if allowed is not None and area in allowed:
            at.error(f"this band allows '{area}', so it is never refused; remove this line or"
                     " the area from the band's areas.", "refusals", area)


@RULES.check("bands")
def bands_follow(bands: tuple[BandFile, ...], at: At[Seen]) -> None:
    """Band ids differ; from 0, each band where the previous ends, the last one open-ended."""
    lines: dict[str, int] = {}
    for index, band in enumerate(bands):
        if band.id in lines:
            at.error(f"band id '{band.id}' is already used on line {lines[band.id]}; give each"
                     " band its own id.", index, "id")
            return
        lines[band.id] = at.line(index)
    if any(band.until is not None and band.until <= band.start for band in bands):
        return  # said at the band
    expected: int | None = 0
    for index, band in enumerate(bands):
        if expected is None:
            at.error("the band before this one has no until, so it already covers every age"
                     " after its from. Give it an until, or remove this band.", index)
            return
        if band.start != expected:
            where = "0" if expected == 0 else f"{expected}, where the band before it ends"
            at.error(f"must be {where}; bands follow each other without gaps or overlaps.",
                     index, "from")
            return
        expected = band.until
    if expected is not None:
        last = bands[-1]
        at.error(f"leave out until on the last band, so every age from {last.start} up is"
                 " covered.", len(bands) - 1, "until")

