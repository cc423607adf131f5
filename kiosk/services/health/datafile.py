"""Read the health tasks' YAML data files (measurement ranges, consent topics) strictly.

The file is walked as YAML nodes, so each error names the file, the line and the field:
``DataFileError`` reads "path:line: field 'x': message".
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

import yaml

from kiosk.datafile import DataFileError, compose_yaml

__all__ = ["DataFile", "DataFileError"]


class DataFile:
    """One YAML file, read as nodes; every reader raises DataFileError on a wrong value."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        root = compose_yaml(self.path)
        if root is None:
            raise DataFileError(self.path, 1, None, "the file is empty")
        self.root: yaml.Node = root

    def error(self, node: yaml.Node, field: str, message: str) -> DataFileError:
        return DataFileError(self.path, node.start_mark.line + 1, field, message)

    def mapping(
        self, node: yaml.Node, field: str, *, required: Collection[str] = (),
        optional: Collection[str] = (), any_keys: bool = False,
    ) -> dict[str, yaml.Node]:
        """The entries of a mapping, by key; unknown, repeated and missing keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, field, "must be a mapping of names to values")
        found: dict[str, yaml.Node] = {}
        known = [*required, *optional]
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if not any_keys and key not in known:
                raise self.error(key_node, f"{field}.{key}",
                                 f"unknown field (known fields: {', '.join(known)})")
            if key in found:
                raise self.error(key_node, f"{field}.{key}", "given twice")
            found[key] = value_node
        for key in required:
            if key not in found:
                raise self.error(node, f"{field}.{key}", "missing")
        return found

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.error(node, field, "must be a non-empty text")
        return str(node.value).strip()

    def texts(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(node, field, "must be a non-empty list of texts")
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(node.value))

    def number(self, node: yaml.Node, field: str) -> float:
        numeric = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        if not isinstance(node, yaml.ScalarNode) or node.tag not in numeric:
            raise self.error(node, field, "must be a number")
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError as exc:
            raise self.error(node, field, "must be a number") from exc
        if not math.isfinite(value):
            raise self.error(node, field, "must be a finite number")
        return value

    def integer(self, node: yaml.Node, field: str, minimum: int = 0) -> int:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            raise self.error(node, field, "must be a whole number")
        try:
            value = int(str(node.value).replace("_", ""))
        except ValueError as exc:
            raise self.error(node, field, "must be a whole number in decimal digits") from exc
        if value < minimum:
            raise self.error(node, field, f"must be at least {minimum}")
        return value
