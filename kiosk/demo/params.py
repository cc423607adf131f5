"""Search parameter definitions (``search.yaml``) and how to pull their values out of a
resource: element paths, references normalised to ``Type/id``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.demo.datafile import load

PARAMS_FILE = Path(__file__).with_name("search.yaml")
PARAM_TYPES = ("token", "reference", "date", "string")
_NAME = re.compile(r"^_?[a-z][A-Za-z\-]*$")
_PATH = re.compile(r"^[a-zA-Z]+(\.[a-zA-Z]+)*$")
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]+$")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str
    paths: tuple[str, ...]
    target: str | None = None


def load_params(path: Path = PARAMS_FILE) -> dict[str, dict[str, SearchParam]]:
    """Search parameters per resource type (common ones merged in); errors name file:line."""
    data, lines = load(path)
    if not isinstance(data, dict) or set(data) != {"common", "types"}:
        raise lines.error((), "must hold exactly 'common' and 'types'")

    def params(keys: tuple[str, ...], spec: Any) -> dict[str, SearchParam]:
        if not isinstance(spec, dict):
            raise lines.error(keys, "must map parameter names to their definitions")
        found = {}
        for name, body in spec.items():
            where = (*keys, name)
            if not _NAME.match(name):
                raise lines.error(where, "not a search parameter name")
            if not isinstance(body, dict) or set(body) - {"type", "paths", "target"}:
                raise lines.error(where, "must hold type, paths and optionally target")
            if body.get("type") not in PARAM_TYPES:
                raise lines.error((*where, "type"), f"must be one of {', '.join(PARAM_TYPES)}")
            paths = body.get("paths")
            if (not isinstance(paths, list) or not paths
                    or not all(isinstance(p, str) and _PATH.match(p) for p in paths)):
                raise lines.error((*where, "paths"), "must be a non-empty list of element paths")
            target = body.get("target")
            if target is not None and (body["type"] != "reference" or not TYPE_NAME.match(target)):
                raise lines.error((*where, "target"), "only a reference may name a target type")
            found[name] = SearchParam(name, body["type"], tuple(paths), target)
        return found

    common = params(("common",), data["common"])
    if not isinstance(data["types"], dict):
        raise lines.error(("types",), "must map resource types to their parameters")
    result = {}
    for kind, spec in data["types"].items():
        if not TYPE_NAME.match(kind):
            raise lines.error(("types", kind), "not a FHIR resource type name")
        own = params(("types", kind), spec)
        clash = set(own) & set(common)
        if clash:
            raise lines.error(("types", kind, *sorted(clash)[:1]), "already a common parameter")
        result[kind] = {**common, **own}
    return result


def element_values(resource: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path; lists fan out at each step."""
    values = [resource]
    for step in path.split("."):
        found: list[Any] = []
        for value in values:
            child = value.get(step) if isinstance(value, dict) else None
            found.extend(child if isinstance(child, list) else [] if child is None else [child])
        values = found
    yield from values


def param_values(resource: dict[str, Any], param: SearchParam) -> list[Any]:
    return [v for path in param.paths for v in element_values(resource, path)]


def normal_reference(reference: str) -> str:
    """``Type/id`` of a relative or absolute reference (a version suffix is dropped)."""
    parts = [p for p in reference.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return "/".join(parts[-2:])


def references(resource: dict[str, Any], param: SearchParam) -> list[str]:
    """The ``Type/id`` references a reference parameter finds in a resource."""
    found = []
    for value in param_values(resource, param):
        ref = value.get("reference") if isinstance(value, dict) else None
        if isinstance(ref, str) and "/" in ref:
            ref = normal_reference(ref)
            if param.target is None or ref.startswith(f"{param.target}/"):
                found.append(ref)
    return found
