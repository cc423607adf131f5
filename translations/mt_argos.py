"""Argos Translate (``argos-translate-lt``): neural machine translation for the pairs an operator
installs from ``.argosmodel`` files (`kiosk translations add`). The kiosk ships none.

Packages live in ``state_dir/argos/packages``, one folder per pair. Argos reads its directories
and onnxruntime its telemetry switch once, when first imported, so both are set before that
import; remote package lists are never asked for, and a package must bring its own sentence
splitter (``minisbd/<lang>.onnx``) because Argos would otherwise download one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

from translations.mt import EngineFailed, Pair


class PackageError(ValueError):
    """An .argosmodel file that cannot be installed; str() says why, for the operator."""


def packages_dir(state_dir: Path) -> Path:
    return state_dir / "argos" / "packages"


def _metadata(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("type", "translate") != "translate":
        return None
    if not isinstance(data.get("from_code"), str) or not isinstance(data.get("to_code"), str):
        return None
    return data


def installed(state_dir: Path) -> dict[Pair, Path]:
    """(source, target) -> package folder, read from the metadata files (Argos not imported)."""
    root = packages_dir(state_dir)
    found: dict[Pair, Path] = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        data = _metadata(folder)
        if data is not None:
            found[(data["from_code"], data["to_code"])] = folder
    return found


def _argos(state_dir: Path) -> tuple[ModuleType, ModuleType]:
    """argostranslate's package and translate modules, imported with their settings pointed
    under state_dir (the first state dir of the process wins: Argos reads them only once;
    packages are always found in the state dir asked for, see ``installed``)."""
    if "argostranslate" not in sys.modules:
        root = state_dir / "argos"
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        os.environ["ARGOS_PACKAGES_DIR"] = str(packages_dir(state_dir))
        os.environ.setdefault("ARGOS_DEVICE_TYPE", "cpu")
        # One translation at a time on a kiosk's two cores: one core stays with the screen.
        os.environ.setdefault("ARGOS_INTER_THREADS", "1")
        os.environ.setdefault("ARGOS_INTRA_THREADS", "1")
        # Argos reads its data, config and cache dirs from XDG_* once, at import; they are
        # pointed under the state dir for that moment only, so that the rest of the kiosk and
        # its child processes (espeak-ng, apertium) keep the service's own.
        xdg = {"XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config", "XDG_CACHE_HOME": "cache"}
        saved = {name: os.environ.get(name) for name in xdg}
        os.environ.update({name: str(root / sub) for name, sub in xdg.items()})
        try:
            import argostranslate.translate  # noqa: F401  (reads the settings now)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    from argostranslate import package, translate

    # Argos logs every paragraph it translates at INFO: a citizen's words stay out of the log.
    logging.getLogger("argostranslate.utils").setLevel(logging.WARNING)
    return package, translate


class Argos:
    name = "argos"

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._loaded: dict[Pair, Any] = {}
        self._lock = threading.Lock()
        self._installed: dict[Pair, Path] | None = None

    def _packages(self) -> dict[Pair, Path]:
        # Read once: every translation asks for the route, and reading the packages folder
        # each time was a sixth of the kiosk's overhead (bench/translation.py). A pair added
        # later is used after a restart, as `kiosk translations add` says.
        if self._installed is None:
            self._installed = installed(self.state_dir)
        return self._installed

    def pairs(self) -> frozenset[Pair]:
        return frozenset(self._packages())

    def _translation(self, source: str, target: str) -> Any:
        """The pair's model, loaded once. Argos's own CachedTranslation is left out: it keeps
        every translated paragraph, and a citizen's text must not outlive the visit."""
        if (source, target) not in self._loaded:
            folder = self._packages().get((source, target))
            if folder is None:
                raise EngineFailed(f"no Argos package {source}->{target}")
            package, translate = _argos(self.state_dir)
            self._loaded[(source, target)] = translate.PackageTranslation(
                translate.Language(source, source), translate.Language(target, target),
                package.Package(folder))
        return self._loaded[(source, target)]

    def translate(self, text: str, source: str, target: str) -> str:
        # One translation at a time: a CTranslate2 translator is shared by its callers.
        with self._lock:
            try:
                result = str(self._translation(source, target).translate(text)).strip()
            except EngineFailed:
                raise
            except Exception as exc:  # a broken package fails in many ways; the text stays
                raise EngineFailed("argos") from exc
        if not result:
            raise EngineFailed("argos gave no text")
        return result


def _package_root(archive: zipfile.ZipFile) -> str:
    names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or any(".." in Path(name).parts or name.startswith("/") for name in names):
        raise PackageError("an .argosmodel holds exactly one folder, and nothing outside it")
    top = tops.pop()
    if f"{top}/metadata.json" not in names:
        raise PackageError("it has no metadata.json")
    if not any(name.startswith(f"{top}/model/") for name in names):
        raise PackageError("it has no model/ folder")
    return top


def add_package(path: Path, state_dir: Path, *, replace: bool = False) -> Pair:
    """Install an .argosmodel file and return its pair; checked before anything is replaced."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path} is not an .argosmodel (zip) file: {exc}") from exc
    target_root = packages_dir(state_dir)
    target_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=target_root.parent))
    try:
        with archive:
            top = _package_root(archive)
            archive.extractall(staging)
        folder = staging / top
        data = _metadata(folder)
        if data is None:
            raise PackageError("its metadata.json names no translation (from_code, to_code)")
        pair: Pair = (data["from_code"], data["to_code"])
        if not (folder / "minisbd" / f"{pair[0]}.onnx").is_file():
            # Without it Argos downloads a sentence splitter when it first translates.
            raise PackageError(f"it has no sentence splitter minisbd/{pair[0]}.onnx")
        old = installed(state_dir).get(pair)
        if old is not None and not replace:
            raise PackageError(f"a {pair[0]}->{pair[1]} package is installed already "
                               "(use --replace)")
        if old is not None:
            shutil.rmtree(old)
        final = target_root / f"translate-{pair[0]}_{pair[1]}"
        shutil.rmtree(final, ignore_errors=True)
        folder.rename(final)
        return pair
    finally:
        shutil.rmtree(staging, ignore_errors=True)
