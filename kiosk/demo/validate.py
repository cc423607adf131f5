"""Check a resource before it is stored, the way a validating FHIR R4 server does.

The rules are data (``required.yaml``): required elements and required code bindings per
resource type. A broken resource is refused with HTTP 400 and an OperationOutcome whose
``expression`` names the element, e.g. ``Observation.code``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.demo.datafile import Lines, load
from kiosk.demo.problem import Problem
from kiosk.fhir_syntax import ID, RESOURCE_TYPE

RULES_FILE = Path(__file__).with_name("required.yaml")
_PATH = re.compile(r"^[a-z][A-Za-z]*(\[x\])?(\.[a-z][A-Za-z]*(\[x\])?)*$")
_CODE = re.compile(r"^[^\s]+( [^\s]+)*$")


@dataclass(frozen=True)
class Constraint:
    """An R4 invariant: at least one of ``any_of`` is present on each item at ``on``."""

    key: str
    human: str
    any_of: tuple[str, ...]
    on: str = ""


@dataclass(frozen=True)
class TypeRules:
    required: tuple[str, ...]
    codes: dict[str, frozenset[str]]
    constraints: tuple[Constraint, ...] = ()


def load_rules(path: Path = RULES_FILE) -> dict[str, TypeRules]:
    """Read and check the rules file; DataFileError names file, line and field."""
    data, lines = load(path)
    if not isinstance(data, dict):
        raise lines.error((), "must map resource types to their rules")
    rules: dict[str, TypeRules] = {}
    for kind, spec in data.items():
        if not RESOURCE_TYPE.match(kind):
            raise lines.error((kind,), "not a FHIR resource type name")
        if not isinstance(spec, dict) or set(spec) - {"required", "codes", "constraints"}:
            raise lines.error((kind,), "must hold only required, codes and constraints")
        required = spec.get("required")
        if not isinstance(required, list):
            raise lines.error((kind, "required"), "must be a list of element paths")
        for i, element in enumerate(required):
            if not isinstance(element, str) or not _PATH.match(element):
                raise lines.error((kind, "required", i), f"not an element path: {element!r}")
        codes = spec.get("codes", {})
        if not isinstance(codes, dict):
            raise lines.error((kind, "codes"), "must map element paths to lists of codes")
        for element, allowed in codes.items():
            if not _PATH.match(element):
                raise lines.error((kind, "codes", element), "not an element path")
            if (not isinstance(allowed, list) or not allowed
                    or not all(isinstance(c, str) and _CODE.match(c) for c in allowed)):
                raise lines.error((kind, "codes", element), "must be a non-empty list of codes")
        rules[kind] = TypeRules(tuple(required), {e: frozenset(c) for e, c in codes.items()},
                                _constraints(spec.get("constraints", []), (kind, "constraints"),
                                             lines))
    return rules


def _constraints(spec: Any, keys: tuple[str, ...], lines: Lines) -> tuple[Constraint, ...]:
    if not isinstance(spec, list):
        raise lines.error(keys, "must be a list of constraints")
    found = []
    for i, item in enumerate(spec):
        where: tuple[str | int, ...] = (*keys, i)
        if not isinstance(item, dict) or set(item) - {"key", "human", "any_of", "on"}:
            raise lines.error(where, "must hold key, human, any_of and optionally on")
        for name in ("key", "human"):
            if not isinstance(item.get(name), str) or not item[name]:
                raise lines.error((*where, name), "must be a text")
        any_of = item.get("any_of")
        if (not isinstance(any_of, list) or len(any_of) < 2
                or not all(isinstance(e, str) and _PATH.match(e) and "." not in e
                           for e in any_of)):
            raise lines.error((*where, "any_of"), "must list two or more element names")
        on = item.get("on", "")
        if on and not (isinstance(on, str) and _PATH.match(on)):
            raise lines.error((*where, "on"), "not an element path")
        found.append(Constraint(item["key"], item["human"], tuple(any_of), on))
    return tuple(found)


class Validator:
    """Refuses resources a real server would refuse: unknown type, missing or empty elements,
    codes outside a required binding."""

    def __init__(self, rules: dict[str, TypeRules]) -> None:
        self.rules = rules

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.rules)

    def check(self, resource: dict[str, Any], kind: str) -> None:
        found = resource.get("resourceType")
        if found not in self.rules:
            raise Problem(400, f"unknown resourceType {found!r}", "not-supported",
                          expression="resourceType")
        if found != kind:
            raise Problem(400, f"resourceType {found!r} does not match the URL ({kind})",
                          expression="resourceType")
        rid = resource.get("id")
        if rid is not None and not (isinstance(rid, str) and ID.match(rid)):
            raise Problem(400, f"{kind}.id is not a valid FHIR id", expression=f"{kind}.id")
        if not isinstance(resource.get("meta", {}), dict):
            raise Problem(400, f"{kind}.meta must be an object", "structure",
                          expression=f"{kind}.meta")
        _no_empty_values(resource, kind)
        rules = self.rules[kind]
        for element in rules.required:
            for where, item in _items(resource, element.split(".")[:-1], kind):
                if not _has(item, element.split(".")[-1]):
                    name = f"{where}.{element.split('.')[-1]}"
                    raise Problem(400, f"{name} is required", "required", expression=name)
        for element, allowed in rules.codes.items():
            steps = element.split(".")
            for where, item in _items(resource, steps[:-1], kind):
                value = item.get(steps[-1]) if isinstance(item, dict) else None
                name = f"{where}.{steps[-1]}"
                if value is not None and value not in allowed:
                    raise Problem(400, f"{name}: {value!r} is not one of {sorted(allowed)}",
                                  "code-invalid", expression=name)
        for rule in rules.constraints:
            steps = rule.on.split(".") if rule.on else []
            for where, item in _items(resource, steps, kind):
                if not any(_has(item, element) for element in rule.any_of):
                    raise Problem(400, f"Constraint {rule.key} not met: {rule.human}",
                                  "invariant", expression=where)


def _items(value: Any, steps: list[str], where: str) -> Iterator[tuple[str, Any]]:
    """Every object reached by following ``steps`` (lists fan out), with its FHIRPath."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _items(item, steps, f"{where}[{i}]")
        return
    if not steps:
        yield where, value
        return
    if isinstance(value, dict):
        key = steps[0].removesuffix("[x]")
        for name, child in value.items():
            if name == key or (steps[0].endswith("[x]") and _is_choice(name, key)):
                yield from _items(child, steps[1:], f"{where}.{name}")


def _has(item: Any, element: str) -> bool:
    if not isinstance(item, dict):
        return False
    if element.endswith("[x]"):
        key = element.removesuffix("[x]")
        return any(_is_choice(name, key) for name in item)
    return element in item


def _is_choice(name: str, key: str) -> bool:
    return name.startswith(key) and name[len(key):len(key) + 1].isupper()


def _no_empty_values(value: Any, where: str) -> None:
    """FHIR JSON has no null, "", [] or {}: an element is either there with content or absent."""
    if value is None or value == "" or value == [] or value == {}:
        raise Problem(400, f"{where} is empty; leave the element out instead", "structure",
                      expression=where)
    if isinstance(value, dict):
        for name, child in value.items():
            _no_empty_values(child, f"{where}.{name}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            _no_empty_values(child, f"{where}[{i}]")
