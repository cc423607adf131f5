"""Read guide files: YAML with line numbers, checked by kiosk.guides.schema.

Every problem becomes a GuideError naming file, line and field; ``load_guides`` and
``check_paths`` report all problems in all files at once, so an author fixes them in one go.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import yaml

from kiosk.datafile import compose_yaml
from kiosk.guides.model import Guide
from kiosk.guides.schema import GuideError, GuideErrors, build_guide, line_of

__all__ = [
    "GuideError",
    "GuideErrors",
    "bundled_guides_dir",
    "check_paths",
    "load_guide",
    "load_guides",
]


def bundled_guides_dir() -> Path:
    """The folder of guides shipped with the kiosk."""
    return Path(__file__).resolve().parent / "content"


def load_guide(
    path: Path,
    *,
    known_sources: Collection[str] | None = None,
    known_actions: Collection[str] | None = None,
) -> Guide:
    """Load and check one guide file. Raises GuideErrors listing every problem in it."""
    guide, errors, _root = _read(Path(path), known_sources, known_actions)
    if guide is None:
        raise GuideErrors(errors)
    return guide


def load_guides(
    dirs: Iterable[Path],
    *,
    known_sources: Collection[str] | None = None,
    known_actions: Collection[str] | None = None,
) -> list[Guide]:
    """Every ``*.yaml`` guide in the folders, sorted by order then id.

    Raises GuideErrors with the problems of all files (including guide ids used twice).
    """
    guides, errors = _read_all(list(dirs), known_sources, known_actions)
    if errors:
        raise GuideErrors(errors)
    return guides


def check_paths(
    paths: list[Path],
    known_sources: Collection[str] | None,
    known_actions: Collection[str] | None,
) -> list[GuideError]:
    """Every problem in the given guide files and folders (for ``kiosk guides check``)."""
    return _read_all(paths, known_sources, known_actions)[1]


def _read_all(
    paths: list[Path],
    known_sources: Collection[str] | None,
    known_actions: Collection[str] | None,
) -> tuple[list[Guide], list[GuideError]]:
    errors: list[GuideError] = []
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(GuideError(path, 0, None, "there is no such file or folder."))
    guides: dict[str, Guide] = {}
    for file in files:
        guide, found, root = _read(file, known_sources, known_actions)
        errors.extend(found)
        if guide is None:
            continue
        if guide.id in guides:
            first = guides[guide.id]
            errors.append(GuideError(
                file, _id_line(root), "id",
                f"guide id '{guide.id}' is already used by {first.path}; give each guide its"
                " own id.",
            ))
        else:
            guides[guide.id] = guide
    return sorted(guides.values(), key=lambda g: (g.order, g.id)), errors


def _read(
    path: Path,
    known_sources: Collection[str] | None,
    known_actions: Collection[str] | None,
) -> tuple[Guide | None, list[GuideError], yaml.Node | None]:
    try:
        root = _compose(path)
    except GuideError as error:
        return None, [error], None
    guide, errors = build_guide(root, path, known_sources, known_actions)
    return guide, errors, root


def _compose(path: Path) -> yaml.Node | None:
    """The file's YAML node tree (keeps line numbers); any reading problem is a GuideError."""
    return compose_yaml(path, error=GuideError, hint=_syntax_hint)


def _syntax_hint(problem: str) -> str:
    if "\\t" in problem:
        return "Indent with spaces, not tabs."
    if "single document" in problem:
        return "Keep one guide per file and remove the '---' line."
    return "Check the indentation and the ':' after each field name on this line and above."


def _id_line(root: yaml.Node | None) -> int:
    """The line of a loaded guide's top-level id field."""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "id":
                return line_of(value)
    return 1
