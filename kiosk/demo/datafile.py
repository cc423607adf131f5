"""Read the demo service's YAML data files with line numbers, so a mistake names its place.

``load`` returns plain Python data plus ``Lines``, which maps a path of keys and list indexes
(e.g. ``("Observation", "required", 0)``) to the line it came from in the file. Plain data,
not nodes as in ``kiosk.services.health.datafile``, because the seed is FHIR resources stored
as they are; reading and errors are ``kiosk.datafile``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from kiosk.datafile import DataFileError, compose_yaml

__all__ = ["DataFileError", "Lines", "load"]
KeyPath = tuple[str | int, ...]


@dataclass
class Lines:
    """Where each value of a data file came from."""

    path: Path
    lines: dict[KeyPath, int]

    def at(self, keys: KeyPath) -> int:
        """The line of ``keys``, or of its nearest enclosing value."""
        for end in range(len(keys), -1, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return 1

    def error(self, keys: KeyPath, message: str) -> DataFileError:
        field = ".".join(str(k) for k in keys) or "(top)"
        return DataFileError(self.path, self.at(keys), field, message)


def load(path: Path) -> tuple[Any, Lines]:
    """Parse ``path``; raises DataFileError for broken YAML or a key given twice."""
    root = compose_yaml(path)
    lines = Lines(path, {})
    if root is None:
        raise DataFileError(path, 1, None, "the file is empty")
    return _value(root, (), lines), lines


def _value(node: yaml.Node, keys: KeyPath, lines: Lines) -> Any:
    lines.lines.setdefault(keys, node.start_mark.line + 1)  # a key's own line wins
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines.lines[(*keys, key)] = key_node.start_mark.line + 1
            if key in result:
                raise lines.error((*keys, key), "given twice")
            result[key] = _value(value_node, (*keys, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, (*keys, i), lines) for i, item in enumerate(node.value)]
    value = yaml.SafeLoader("").construct_object(node)
    # FHIR dates and times are strings; YAML would otherwise turn 2024-05-01 into a date.
    return value.isoformat() if isinstance(value, date | datetime) else value
