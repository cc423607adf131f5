"""Find every translatable string in the code and the bundled guides, and check the catalogs.

What counts as translatable:
- Python: calls ``gettext("…")``, ``N_("…")`` (the one marker for text kept as data),
  ``x.gettext("…")`` and
  ``x.format("…", …)`` (a Localizer) whose first argument is a string literal; a string literal
  assigned to a name ``msgid`` (e.g. an error class attribute) or passed as ``msgid="…"``.
- Guide YAML: the text fields title, description, icon_label, prompt, help, label, empty,
  unit and staff_hint at any depth, and the words listed under voice.

``python -m translations.extract --check [PATH…]`` lists what each shipped catalog lacks (and
its untranslated or fuzzy entries) and exits 1; without ``--check`` it writes a PO template of
all msgids to stdout for translators.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from translations.catalog import catalog_problems, load_catalog
from translations.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
_PACKAGES = ("kiosk", "speech", "helper_mode", "hardware", "translations")
GUIDES_DIR = ROOT / "kiosk" / "guides" / "content"
GUIDE_TEXT_KEYS = frozenset(
    {"title", "description", "icon_label", "prompt", "help", "label", "empty", "unit",
     "staff_hint"}
)
_CALLS = frozenset({"gettext", "N_"})
_METHODS = frozenset({"gettext", "format"})

_PLURAL_METHODS = frozenset({"nformat"})

Msgid = str | tuple[str, str]
"""A plain msgid, or (singular, plural) for a text with plural forms."""
Locations = dict[Msgid, list[str]]


def _sort_key(msgid: Msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _known(lang: str) -> set[Msgid]:
    return {m.id if isinstance(m.id, str) else (m.id[0], m.id[1])
            for m in load_catalog(lang) if m.id}


def default_sources() -> list[Path]:
    """The kiosk's Python packages and its bundled guide files."""
    return [ROOT / name for name in _PACKAGES] + sorted(GUIDES_DIR.glob("*.yaml"))


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _python_msgids(path: Path) -> Iterable[tuple[Msgid, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in _PLURAL_METHODS
                    and len(node.args) >= 2 and (one := _literal(node.args[0]))
                    and (many := _literal(node.args[1]))):
                yield (one, many), node.lineno
                continue
            marked = (isinstance(func, ast.Name) and func.id in _CALLS) or (
                isinstance(func, ast.Attribute)
                and func.attr in _METHODS
                # "…{x}".format(x=…) is str.format on a literal, not a Localizer.
                and not isinstance(func.value, ast.Constant)
            )
            if marked and node.args and (text := _literal(node.args[0])):
                yield text, node.lineno
            for keyword in node.keywords:
                if keyword.arg == "msgid" and (text := _literal(keyword.value)):
                    yield text, keyword.value.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = any(isinstance(t, ast.Name) and t.id == "msgid" for t in targets)
            if named and (text := _literal(node.value)):
                yield text, node.lineno


def _yaml_msgids(path: Path) -> Iterable[tuple[str, int]]:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the guide check reports broken files; a broken file offers no text here
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name in GUIDE_TEXT_KEYS and isinstance(value, yaml.ScalarNode):
                    yield from _text_scalar(value)
                elif name == "voice":
                    words = value.value if isinstance(value, yaml.SequenceNode) else [value]
                    for word in words:
                        yield from _text_scalar(word)
                else:
                    stack.append(value)


_TEXT_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:bool"})


def _text_scalar(node: yaml.Node) -> Iterable[tuple[str, int]]:
    # Text as written: a plain yes or no where a guide takes text (a voice word, a label) is
    # the word itself, as the guide loader reads it; numbers are not text to translate.
    if isinstance(node, yaml.ScalarNode) and node.tag in _TEXT_TAGS:
        text = str(node.value).strip()
        if text:
            yield text, node.start_mark.line + 1


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        else:
            yield path


def extract_msgids(paths: Iterable[Path]) -> Locations:
    """msgid -> ["file:line", …]. Directories are searched for Python files; give YAML files
    (guides) one by one."""
    found: Locations = {}
    for path in _files(paths):
        if path.suffix == ".py":
            pairs = _python_msgids(path)
        elif path.suffix in (".yaml", ".yml"):
            pairs = _yaml_msgids(path)
        else:
            continue
        for msgid, line in pairs:
            found.setdefault(msgid, []).append(f"{path}:{line}")
    return found


def missing_in_catalog(lang: str, sources: Iterable[Path] | None = None) -> list[Msgid]:
    """Msgids used in the sources (default: the kiosk and its guides) that lang's PO lacks."""
    used = extract_msgids(default_sources() if sources is None else sources)
    return sorted(set(used) - _known(lang), key=_sort_key)


def unused_in_catalog(lang: str, sources: Iterable[Path] | None = None) -> list[Msgid]:
    """Msgids lang's PO holds that no source uses any more: stale text nobody reviews."""
    used = extract_msgids(default_sources() if sources is None else sources)
    return sorted(_known(lang) - set(used), key=_sort_key)


def _template(found: Locations) -> Catalog:
    catalog = Catalog(project="helselos")
    for msgid in sorted(found, key=_sort_key):
        locations = []
        for where in found[msgid]:
            file, line = where.rsplit(":", 1)
            path = Path(file)
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            locations.append((str(shown), int(line)))
        catalog.add(msgid, locations=locations)
    return catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translations.extract", description=__doc__)
    parser.add_argument(
        "--check", action="store_true",
        help="list msgids each catalog lacks or no longer needs; exit 1 if any"
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: the kiosk and its guides)"
    )
    args = parser.parse_args(argv)
    sources = args.paths or default_sources()
    if not args.check:
        write_po(sys.stdout.buffer, _template(extract_msgids(sources)), width=100)
        return 0
    failed = False
    for lang in LANGUAGES:
        missing = missing_in_catalog(lang, sources)
        problems = catalog_problems(lang)
        # Only the whole kiosk can tell that a msgid is used nowhere.
        unused = [] if args.paths else unused_in_catalog(lang, sources)
        for msgid in missing:
            print(f"{lang}: missing msgid {msgid!r}")
        for msgid in unused:
            print(f"{lang}: msgid {msgid!r} is used nowhere: remove it from the catalog")
        for problem in problems:
            print(problem)
        failed = failed or bool(missing or problems or unused)
    if not failed:
        print(f"catalogs complete: {', '.join(LANGUAGES)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
