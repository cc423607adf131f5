"""Read guide files: kiosk.datafile reads each into the model of kiosk.guides.model, checked by
the rules of kiosk.guides.schema.

Every problem becomes a GuideError naming file, line and field; ``load_guides`` and
``check_paths`` report all problems in all files at once, so an author fixes them in one go.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from kiosk.datafile import Document
from kiosk.guides.model import Guide
from kiosk.guides.schema import GuideError, GuideErrors, Known, read_guide

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
    guide, errors, _doc = _read(Path(path), known_sources, known_actions)
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
        guide, found, doc = _read(file, known_sources, known_actions)
        errors.extend(found)
        if guide is None:
            continue
        if guide.id in guides:
            first = guides[guide.id]
            errors.append(GuideError(
                file, _id_line(doc), "id",
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
) -> tuple[Guide | None, list[GuideError], Document | None]:
    return read_guide(path, Known(known_sources, known_actions))


def _id_line(doc: Document | None) -> int:
    """The line of a loaded guide's top-level id field."""
    return 1 if doc is None else doc.line(("id",))
