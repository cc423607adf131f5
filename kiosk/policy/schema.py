"""The access rules file format (the reference for whoever edits ``rules.yaml``) and its checks.

Every problem is reported as ``file:line: field 'x': what is wrong and how to fix it``, all
problems of the file at once. Ages are whole years on the day a decision is made; a band
covers ``from`` and the ages after it, up to but not including ``until``. A *reason* is the
name of a sentence in ``kiosk/policy/reasons.py`` (where the catalogs pick it up), e.g.
``parent_all_under_12``.

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

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from kiosk.datafile import DataFileError, DataFileErrors, compose_yaml
from kiosk.guides.schema import line_of, suggest
from kiosk.policy.model import (
    PROXY_OUTCOMES,
    AdultProxyRules,
    AgeBand,
    CountryRules,
    NoAdultProxy,
    Rules,
)
from kiosk.policy.reasons import REASONS

ALL = "all"
"""Every area: in a band's or a proxy's ``areas``, and the choice of a proxy for everything."""
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
COUNTRY_CODE = re.compile(r"[A-Z]{2}\Z")
OLDEST = 130
TOP_FIELDS = ("areas", "countries")
COUNTRY_FIELDS = ("adult_proxy", "guardian", "own_access")
PROXY_FIELDS = (
    "available", "giver_min_age", "proxy_min_age", "areas", "blocked_by_confidential_address",
    "reasons",
)
PROXY_OPTIONAL = ("choices",)
NO_PROXY_FIELDS = ("available", "reason")
BAND_REQUIRED = ("id", "from", "areas", "reason")
BAND_OPTIONAL = ("until", "refusals")

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_STR = "tag:yaml.org,2002:str"
_CONSTRUCT = SafeConstructor()


class PolicyError(DataFileError):
    """One problem in a rules file, pointing at the line and field to fix."""


class PolicyErrors(DataFileErrors):
    """Every problem found in a rules file."""


def compose(path: Path) -> yaml.Node | None:
    """The file's YAML node tree (which keeps line numbers); a reading problem is a PolicyError."""
    return compose_yaml(path, error=PolicyError)


def build_rules(root: yaml.Node | None, path: Path) -> tuple[Rules | None, list[PolicyError]]:
    """Check a composed rules document; the Rules (None if anything is wrong) and every error."""
    checker = _Checker(path)
    rules = checker.rules(root)
    return (None if checker.errors else rules), checker.errors


def _is_all(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == ALL


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a group of fields"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'"


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[PolicyError] = []
        self.areas: tuple[str, ...] = ()
        self.key_lines: dict[int, int] = {}
        """id(value node) -> line of its field name, where an author looks for the field."""

    def error(self, where: yaml.Node | int, field: str | None, message: str) -> None:
        line = where if isinstance(where, int) else self.key_lines.get(id(where), line_of(where))
        self.errors.append(PolicyError(self.path, line, field, message))

    def fields(
        self,
        node: yaml.Node,
        prefix: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        what: str,
    ) -> dict[str, yaml.Node] | None:
        """The mapping's value nodes by name, after reporting duplicate, unknown and missing
        names; None when node is not a mapping at all."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, prefix.rstrip(".") or None, f"must be {what}, not {_describe(node)}.")
            return None
        found: dict[str, yaml.Node] = {}
        allowed = required + optional
        for key, value in node.value:
            name = str(key.value)
            field = f"{prefix}{name}"
            if name in found:
                self.error(key, field, f"appears twice in {what}; keep only one.")
            elif name not in allowed:
                self.error(
                    key, field,
                    f"{what} has no field '{name}'.{suggest(name, allowed)}"
                    f" Allowed fields: {', '.join(allowed)}.",
                )
            else:
                found[name] = value
                self.key_lines[id(value)] = line_of(key)
        for name in required:
            if name not in found:
                self.error(node, f"{prefix}{name}", f"is missing; {what} needs it.")
        return found

    # -- values ----------------------------------------------------------------------------

    def reason(self, node: yaml.Node, field: str) -> str | None:
        """The msgid of a reason named in kiosk/policy/reasons.py."""
        name = self.name(node, field)
        if name is not None and name not in REASONS:
            self.error(
                node, field,
                f"there is no reason '{name}'.{suggest(name, REASONS)} Use a name from"
                " kiosk/policy/reasons.py, or add the sentence there and to the catalogs.",
            )
            return None
        return None if name is None else REASONS[name]

    def name(self, node: yaml.Node, field: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR or not NAME.match(node.value):
            self.error(
                node, field,
                f"{_describe(node)} is not a usable name; use letters, digits and _ only,"
                " starting with a letter, like 'age_12_to_15'.",
            )
            return None
        return str(node.value)

    def age(self, node: yaml.Node, field: str) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
            value = int(_CONSTRUCT.construct_yaml_int(node))
            if 0 <= value <= OLDEST:
                return value
            self.error(node, field, f"{value} is not an age; use a whole number 0 to {OLDEST}.")
            return None
        self.error(node, field, f"must be an age in whole years such as 16, not {_describe(node)}.")
        return None

    def flag(self, node: yaml.Node, field: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return bool(_CONSTRUCT.construct_yaml_bool(node))
        self.error(node, field, f"must be yes or no, not {_describe(node)}.")
        return None

    def area_list(self, node: yaml.Node, field: str) -> frozenset[str] | None:
        """``all`` or a list of known areas without repeats."""
        if _is_all(node):
            return frozenset(self.areas)
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                node, field,
                f"must be 'all' or a list of areas such as [appointments, vaccines] ([] for"
                f" none), not {_describe(node)}.",
            )
            return None
        areas: set[str] = set()
        ok = True
        for item in node.value:
            area = self.known_area(item, field)
            if area is None:
                ok = False
            elif area in areas:
                self.error(item, field, f"'{area}' is listed twice; list each area once.")
                ok = False
            else:
                areas.add(area)
        return frozenset(areas) if ok else None

    def known_area(self, node: yaml.Node, field: str) -> str | None:
        area = self.name(node, field)
        if area is not None and area not in self.areas:
            self.error(
                node, field,
                f"there is no area '{area}'.{suggest(area, self.areas)}"
                f" Areas: {', '.join(self.areas)}.",
            )
            return None
        return area

    # -- the file --------------------------------------------------------------------------

    def rules(self, root: yaml.Node | None) -> Rules | None:
        if root is None:
            self.error(1, None, "the file is empty; it needs the fields areas and countries.")
            return None
        found = self.fields(root, "", TOP_FIELDS, (), "a rules file (a group of fields)")
        if found is None:
            return None
        if "areas" in found:
            self.areas = self.area_names(found["areas"])
        countries: dict[str, CountryRules] = {}
        # Without usable areas every band would repeat the same complaint, so stop here.
        if "countries" in found and self.areas:
            countries = self.countries(found["countries"])
        if self.errors:
            return None
        return Rules(path=self.path, areas=self.areas, countries=countries)

    def area_names(self, node: yaml.Node) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, "areas", "must be a list of area names such as [appointments].")
            return ()
        names: list[str] = []
        for item in node.value:
            name = self.name(item, "areas")
            if name == ALL:
                self.error(item, "areas", "'all' stands for every area; name the area otherwise.")
            elif name is not None and name in names:
                self.error(item, "areas", f"'{name}' is listed twice; list each area once.")
            elif name is not None:
                names.append(name)
        return tuple(names)

    def countries(self, node: yaml.Node) -> dict[str, CountryRules]:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.error(node, "countries", 'must be a group of countries such as "NO": ...')
            return {}
        result: dict[str, CountryRules] = {}
        seen: dict[str, int] = {}
        for key, value in node.value:
            code = str(key.value)
            field = f"countries.{code}"
            usable = False
            if key.tag == _BOOL:
                self.error(
                    key, field,
                    f'put the country code in quotes, like "{code}": without them YAML reads'
                    f" {code} as yes or no.",
                )
            elif not isinstance(key, yaml.ScalarNode) or not COUNTRY_CODE.match(code):
                self.error(key, field, "a country code is two capital letters, such as \"SE\".")
            elif code in seen:
                self.error(key, field, f"appears twice (first on line {seen[code]}); keep one.")
            else:
                usable = True
                seen[code] = line_of(key)
            # A country with a bad code is still checked, so every problem shows at once.
            self.key_lines[id(value)] = line_of(key)
            country = self.country(value, code)
            if usable and country is not None:
                result[code] = country
        return result

    def country(self, node: yaml.Node, code: str) -> CountryRules | None:
        prefix = f"countries.{code}."
        found = self.fields(node, prefix, COUNTRY_FIELDS, (), "a country (a group of fields)")
        if found is None:
            return None
        proxy = self.adult_proxy(found["adult_proxy"], prefix) if "adult_proxy" in found else None
        guardian, own = (
            self.bands(found[name], prefix + name) if name in found else None
            for name in ("guardian", "own_access")
        )
        if proxy is None or guardian is None or own is None:
            return None
        return CountryRules(code=code, adult_proxy=proxy, guardian=guardian, own_access=own)

    def adult_proxy(
        self, node: yaml.Node, prefix: str
    ) -> AdultProxyRules | NoAdultProxy | None:
        prefix += "adult_proxy."
        what = "adult_proxy"
        if not isinstance(node, yaml.MappingNode):
            self.error(node, prefix + "available", "adult_proxy must start with available: yes"
                       " or available: no.")
            return None
        raw = {str(k.value): v for k, v in node.value}
        if "available" not in raw:
            self.fields(node, prefix, ("available",),
                        PROXY_FIELDS + PROXY_OPTIONAL + NO_PROXY_FIELDS, what)
            return None
        available = self.flag(raw["available"], prefix + "available")
        if available is None:
            return None
        if not available:
            found = self.fields(node, prefix, NO_PROXY_FIELDS, (), what + " with available: no")
            if not found or "reason" not in found:
                return None
            reason = self.reason(found["reason"], prefix + "reason")
            return None if reason is None else NoAdultProxy(reason)
        found = self.fields(
            node, prefix, PROXY_FIELDS, PROXY_OPTIONAL, what + " with available: yes"
        ) or {}
        readers = {
            "giver_min_age": ("giver_min_age", self.age),
            "proxy_min_age": ("proxy_min_age", self.age),
            "areas": ("areas", self.area_list),
            "blocked_by_confidential_address": ("confidential_address_blocks", self.flag),
            "reasons": ("reasons", self.reasons),
        }
        values: dict[str, Any] = {
            attribute: read(found[name], prefix + name)
            for name, (attribute, read) in readers.items() if name in found
        }
        choices = (self.choices(found["choices"], prefix + "choices", values.get("areas"))
                   if "choices" in found else {})
        if len(values) < len(readers) or None in (*values.values(), choices):
            return None
        return AdultProxyRules(**values, choices=choices or {})

    def choices(
        self, node: yaml.Node, field: str, allowed: frozenset[str] | None
    ) -> dict[str, frozenset[str]] | None:
        """``name: [areas]`` lines; each a usable name other than ``all``, each area one a
        proxy can be given for (``allowed``, None when that field is itself wrong)."""
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.error(node, field, "must be a group of 'name: [areas]' lines, such as"
                       " 'records: [vaccines, records]'.")
            return None
        result: dict[str, frozenset[str]] = {}
        ok = True
        for key, value in node.value:
            sub = f"{field}.{key.value}"
            name = self.name(key, sub)
            if _is_all(value):
                self.error(value, sub, "list the areas; 'all' is always offered by itself.")
                areas = None
            else:
                areas = self.area_list(value, sub)
            if name == ALL:
                self.error(key, sub, "'all' is always offered: it is every area of the"
                           " proxy's areas. Give this choice another name.")
                name = None
            elif name is not None and name in result:
                self.error(key, sub, "appears twice; keep only one.")
                name = None
            if areas is not None and not areas:
                self.error(value, sub, "must list at least one area.")
                areas = None
            elif areas is not None and allowed is not None and not areas <= allowed:
                outside = ", ".join(sorted(areas - allowed))
                self.error(value, sub, f"a proxy cannot be given for {outside}; add it to the"
                           " proxy's areas, or remove it here.")
                areas = None
            if name is None or areas is None:
                ok = False
            else:
                result[name] = areas
        return result if ok else None

    def reasons(self, node: yaml.Node, field: str) -> dict[str, str] | None:
        found = self.fields(node, field + ".", PROXY_OUTCOMES, (), "reasons (outcome: reason)")
        if found is None:
            return None
        texts = {name: self.reason(value, f"{field}.{name}") for name, value in found.items()}
        if len(texts) < len(PROXY_OUTCOMES) or None in texts.values():
            return None
        return {name: text for name, text in texts.items() if text is not None}

    # -- age bands -------------------------------------------------------------------------

    def bands(self, node: yaml.Node, field: str) -> tuple[AgeBand, ...] | None:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, field, "must be a list of age bands, each starting with '- id: ...'.")
            return None
        bands: list[AgeBand] = []
        ids: dict[str, int] = {}
        ok = True
        for index, item in enumerate(node.value):
            band = self.band(item, field, index)
            if band is None:
                ok = False
            elif band.id in ids:
                self.error(
                    item, f"{field}.{band.id}.id",
                    f"band id '{band.id}' is already used on line {ids[band.id]}; give each band"
                    " its own id.",
                )
                ok = False
            else:
                ids[band.id] = line_of(item)
                bands.append(band)
        if not ok:
            return None
        return tuple(bands) if self.bands_follow(bands, node.value, field) else None

    def band(self, node: yaml.Node, field: str, index: int) -> AgeBand | None:
        raw = {str(k.value): v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
        band_id = self.name(raw["id"], f"{field}[{index}].id") if "id" in raw else None
        prefix = f"{field}.{band_id}." if band_id else f"{field}[{index}]."
        found = self.fields(node, prefix, BAND_REQUIRED, BAND_OPTIONAL, "an age band")
        if found is None or any(name not in found for name in BAND_REQUIRED):
            return None
        start = self.age(found["from"], prefix + "from")
        end = self.age(found["until"], prefix + "until") if "until" in found else None
        if start is not None and end is not None and end <= start:
            self.error(
                found["until"], prefix + "until",
                f"must be above from ({start}); until is the first age the band no longer"
                " covers.",
            )
            return None
        areas = self.area_list(found["areas"], prefix + "areas")
        reason = self.reason(found["reason"], prefix + "reason")
        refusals = (
            self.refusals(found["refusals"], prefix + "refusals", areas)
            if "refusals" in found else {}
        )
        if None in (band_id, start, areas, reason, refusals) or ("until" in found and end is None):
            return None
        return AgeBand(
            id=str(band_id), start=int(start or 0), end=end, areas=areas or frozenset(),
            reason=str(reason), refusals=refusals or {},
        )

    def refusals(
        self, node: yaml.Node, field: str, allowed: frozenset[str] | None
    ) -> dict[str, str] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, field, "must be a group of 'area: reason' lines.")
            return None
        result: dict[str, str] = {}
        ok = True
        for key, value in node.value:
            area = self.known_area(key, f"{field}.{key.value}")
            text = self.reason(value, f"{field}.{key.value}")
            if area is not None and allowed is not None and area in allowed:
                self.error(
                    key, f"{field}.{area}",
                    f"this band allows '{area}', so it is never refused; remove this line or"
                    " the area from the band's areas.",
                )
                ok = False
            elif area is not None and area in result:
                self.error(key, f"{field}.{area}", "appears twice; keep only one.")
                ok = False
            elif area is None or text is None:
                ok = False
            else:
                result[area] = text
        return result if ok else None

    def bands_follow(self, bands: list[AgeBand], nodes: list[yaml.Node], field: str) -> bool:
        """From 0, each band where the previous ends, the last one open-ended."""
        expected: int | None = 0
        for band, node in zip(bands, nodes, strict=True):
            if expected is None:
                self.error(
                    node, f"{field}.{band.id}",
                    "the band before this one has no until, so it already covers every age"
                    " after its from. Give it an until, or remove this band.",
                )
                return False
            if band.start != expected:
                where = "0" if expected == 0 else f"{expected}, where the band before it ends"
                self.error(
                    self.value(node, "from"), f"{field}.{band.id}.from",
                    f"must be {where}; bands follow each other without gaps or overlaps.",
                )
                return False
            expected = band.end
        if expected is not None:
            last = bands[-1]
            self.error(
                self.value(nodes[-1], "until"), f"{field}.{last.id}.until",
                f"leave out until on the last band, so every age from {last.start} up is"
                " covered.",
            )
            return False
        return True

    @staticmethod
    def value(node: yaml.Node, name: str) -> yaml.Node:
        """The value of a mapping's field (its line is the field's line); else the mapping."""
        return next((v for k, v in node.value if k.value == name), node)
