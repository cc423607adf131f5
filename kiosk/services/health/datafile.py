"""Read the health tasks' YAML data files (measurement ranges, consent topics) strictly.

Each file has a typed model (msgspec Structs, in the module that uses the file), read by
``kiosk.datafile``; the first problem is raised as ``DataFileError``, which reads
"path:line: field 'x': message". This module holds the words those files use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

from msgspec import Meta

from kiosk.datafile import (
    At,
    DataFileError,
    Format,
    KeyPath,
    Rule,
    Rules,
    Says,
    Shape,
    check,
)

__all__ = ["NAMES", "DataFileError", "Integer", "Number", "Text", "Texts", "load", "new_rules"]

T = TypeVar("T")

Text = Annotated[str, Meta(pattern=r"\S"), Says(wrong="must be a non-empty text")]
Texts = Annotated[tuple[Text, ...], Meta(min_length=1),
                  Says(wrong="must be a non-empty list of texts")]
Number = Annotated[float, Rule("finite"), Says(wrong="must be a number")]
Integer = Annotated[int, Meta(ge=0), Says(wrong="must be a whole number", bad="must be at least 0")]
NAMES = Says(wrong="must be a mapping of names to values")
"""What a mapping of names (``kinds``, ``topics``) says when it is something else."""


class HealthFormat(Format):
    field_lines = False  # a problem is on the line its value starts on

    def empty(self, at: At[Any], shape: Shape) -> None:
        at.error("the file is empty", field=None, line=1)

    def not_a_mapping(self, at: At[Any], shape: Shape, value: object) -> None:
        at.error("must be a mapping of names to values")

    def unknown_field(self, at: At[Any], shape: Shape, name: str) -> None:
        known = shape.struct.allowed if shape.struct else ()
        at.error(f"unknown field (known fields: {', '.join(known)})", name,
                 field=self.key_label(at, name), line=at.doc.line((*at.path, name)))

    def duplicate(self, at: At[Any], shape: Shape, line: int) -> None:
        at.error("given twice", field=self.key_label(at), line=line)

    def missing(self, at: At[Any], shape: Shape, name: str) -> None:
        at.error("missing", name, field=self.key_label(at, name), line=at.line())

    @staticmethod
    def key_label(at: At[Any], *sub: str) -> str | None:
        """A field of the file itself is "(top).name"."""
        path = (*at.path, *sub)
        return f"(top).{path[0]}" if len(path) == 1 else at.label(*sub)

    def label(self, doc: Any, path: KeyPath, root: Shape) -> str | None:
        """Fields as ``kinds.pulse.loinc[0]``."""
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text.lstrip(".") or "(top)"


FORMAT = HealthFormat()


def new_rules() -> Rules[None]:
    """A file's rules, starting with the ones every health data file shares."""
    rules: Rules[None] = Rules()
    rules.check("finite")(_finite)
    return rules


def _finite(value: float, at: At[None]) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        at.error("must be a finite number")


def load(path: Path, model: type[T], rules: Rules[None]) -> T:
    """The file as ``model``, checked by ``rules`` (from ``new_rules``); raises the first problem
    as DataFileError."""
    loaded = check(Path(path), model, fmt=FORMAT, rules=rules)
    if loaded.value is None:
        raise loaded.errors[0]
    return loaded.value
