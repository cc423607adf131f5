"""Reading the kiosk's declarative YAML files (guides, policy rules, health and demo data) so
that every mistake names the file, the line and the field.

``compose_yaml`` gives the YAML node tree, which keeps line numbers; each reader walks it with
its own schema and raises ``DataFileError`` ("path:line: field 'x': message").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    """One problem in a data file, pointing at the line and field to fix."""

    def __init__(self, path: Path | str, line: int, field: str | None, message: str) -> None:
        super().__init__(path, line, field, message)
        self.path = Path(path)
        self.line = line
        """1-based; 0 when the problem is the whole file (e.g. it cannot be read)."""
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        if self.field:
            return f"{where}: field '{self.field}': {self.message}"
        return f"{where}: {self.message}"


class DataFileErrors(ValueError):
    """Every problem found in one or more data files."""

    def __init__(self, errors: Iterable[DataFileError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml, where PyYAML was built with it: the kiosk reads its guides and the demo's data at
every start, and the pure-Python reader is most of that time."""


def _default_hint(problem: str) -> str:
    return "Check the indentation and the ':' after each field name on this line and above."


def compose_yaml(
    path: Path, *, error: type[DataFileError] = DataFileError,
    hint: Callable[[str], str] = _default_hint,
) -> yaml.Node | None:
    """The file's YAML node tree (None when empty); a reading problem is raised as ``error``,
    with ``hint(problem)`` telling how to fix broken YAML."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(path, 0, None, "the file is not UTF-8 text; save it as UTF-8.") from None
    except OSError as exc:
        raise error(path, 0, None, f"cannot read the file ({exc.strerror}).") from None
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass  # read it again below, for the error messages the hints know
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = ", ".join(p for p in (exc.context, exc.problem) if p) or "unreadable YAML"
        raise error(path, line, None, f"YAML syntax: {problem}. {hint(problem)}") from None
    except yaml.YAMLError as exc:
        raise error(path, 1, None, f"YAML syntax: {exc}.") from None
