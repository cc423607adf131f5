"""Installed speech models: at most one per (language, engine) in the kiosk's models folder.

Operators add models from files (``kiosk models add``); nothing is ever downloaded. Layout::

    <models_dir>/<language>/<engine>/model/       the model's own files, as its engine reads them
    <models_dir>/<language>/<engine>/model.json   engine, language, size, load time, added at

``add_model`` builds all of that in a hidden staging folder inside ``models_dir`` and renames it
into place only after the model has loaded once: a damaged model, a refused archive or a crash
part-way leaves nothing that ``list_models`` shows (at worst a hidden ``.adding-*`` folder).

Language codes are checked for form only (BCP 47-looking: "nb", "pt-BR"), not against the
kiosk's registry (translations/languages.yaml): a model may be installed before its language is
offered (the tests install Korean, which is not). Whether to use it is for the caller to decide.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Literal, cast

from speech.recognizer import ModelError

log = logging.getLogger(__name__)

Engine = Literal["vosk", "whisper"]
ENGINES: tuple[Engine, ...] = ("vosk", "whisper")
"""In order of preference: Vosk's grammar mode rejects non-commands better and runs faster."""

Loader = Callable[[Path, str], object]
"""Loads a model folder for a language, or raises: how ``add_model`` checks a model works. What
it returns is closed if it can be; if it has ``load_seconds`` (a loader that measured the load
itself, e.g. in another process), that is the load time recorded."""

METADATA = "model.json"
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # the form translations/languages.py checks


@dataclass(frozen=True)
class InstalledModel:
    language: str
    engine: Engine
    path: Path
    """The model's own folder: what VoskRecognizer or faster-whisper loads."""
    size_bytes: int
    load_seconds: float
    """How long the check in ``add_model`` took to load it, on this machine."""
    added_at: datetime
    source: str
    """The file or folder name it was added from."""


def detect_engine(path: Path) -> Engine:
    """Which engine reads the model folder at path, or ModelError."""
    if (path / "graph").is_dir() and (
            (path / "am" / "final.mdl").is_file() or (path / "conf" / "model.conf").is_file()):
        return "vosk"
    if (path / "model.bin").is_file() and (path / "config.json").is_file():
        return "whisper"
    raise ModelError(
        f"{path} does not look like a speech model: a Vosk model has am/final.mdl and graph/, "
        "a Whisper (CTranslate2) model has model.bin and config.json.")


def _model_root(path: Path) -> Path:
    """The model folder itself, or the one folder inside it (zips usually wrap one)."""
    try:
        detect_engine(path)
    except ModelError:
        inside = [p for p in path.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        if len(inside) != 1 or not inside[0].is_dir():
            raise
        detect_engine(inside[0])  # raises when the one folder inside is no model either
        return inside[0]
    return path


def _parts(name: str) -> tuple[str, ...]:
    return PurePosixPath(name.replace("\\", "/")).parts  # zips from Windows may use "\\"


def _extract(archive: Path, into: Path) -> None:
    """Unpack a zip, refusing members outside ``into`` (zipfile would silently rename them)."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            for member in members:
                name, parts = member.filename, _parts(member.filename)
                if name.startswith(("/", "\\")) or ".." in parts or ":" in (parts or ("",))[0]:
                    problem = "a file outside its own folder"
                elif stat.S_ISLNK(member.external_attr >> 16):
                    problem = "a symbolic link"
                else:
                    continue
                raise ModelError(f"{archive} was refused: it holds {problem} ({name!r}).")
            # What the archive claims to unpack to, checked first: a zip bomb fails here.
            needed, free = sum(m.file_size for m in members), shutil.disk_usage(into).free
            if needed > free:
                raise ModelError(f"{archive} unpacks to {needed / 1e9:.1f} GB but only "
                                 f"{free / 1e9:.1f} GB is free in {into}.")
            for member in members:
                target = into.joinpath(*_parts(member.filename))
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as src, open(target, "xb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
    # FileExistsError, IsADirectoryError: members named twice, or named like a folder.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, FileExistsError,
            IsADirectoryError) as exc:
        raise ModelError(f"{archive} is not a readable .zip file ({exc}).") from exc


def _stage(source: Path, staging: Path) -> Path:
    """Copy or unpack source into staging/model; return that folder."""
    model = staging / "model"
    if source.is_dir():
        # Symlinks are followed (the copy holds real files); a full disk is an OSError.
        shutil.copytree(_model_root(source), model)
    elif source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
        unpacked = staging / "unpacked"
        unpacked.mkdir()
        _extract(source, unpacked)
        _model_root(unpacked).rename(model)
        shutil.rmtree(unpacked, ignore_errors=True)
    else:
        raise ModelError(f"{source} is neither a model folder nor a .zip file.")
    return model


def add_model(source: Path, language: str, models_dir: Path, *, load: Loader | None = None,
              replace: bool = False) -> InstalledModel:
    """Install the model in a folder or .zip at source for language, after loading it once.

    ``load`` checks the model (default for Vosk: ``VoskRecognizer``; Whisper needs one). An
    installed model for the same language and engine is kept unless ``replace``. Raises
    ModelError with a plain sentence; nothing is left installed then.
    """
    if not _CODE.fullmatch(language):
        raise ModelError(f"{language!r} is not a language code: use a BCP 47 code such as "
                         "'nb', 'se' or 'pt-BR'.")
    if not source.exists():
        raise ModelError(f"There is no file or folder at {source}.")
    language_dir = models_dir / language
    created_language_dir = not language_dir.exists()
    staging: Path | None = None
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=models_dir))
        staging.chmod(0o755)  # mkdtemp makes 0700; the kiosk's own user must read the model
        return _install(source, language, staging, language_dir, load, replace)
    except OSError as exc:  # permissions, a full disk: still one plain sentence
        raise ModelError(f"{source} could not be installed in {models_dir}: "
                         f"{exc.strerror or exc}.") from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created_language_dir and language_dir.is_dir() and not any(language_dir.iterdir()):
            language_dir.rmdir()


def _install(source: Path, language: str, staging: Path, language_dir: Path,
             load: Loader | None, replace: bool) -> InstalledModel:
    model = _stage(source, staging)
    engine = detect_engine(model)
    target = language_dir / engine
    if target.exists() and not replace:
        raise ModelError(f"A {engine} model for {language!r} is already installed in {target}; "
                         "remove it first or replace it.")
    if load is None:
        if engine == "whisper":
            raise ModelError("Checking a Whisper model needs its loader (faster-whisper); "
                             "none was given.")
        from speech.vosk_engine import VoskRecognizer  # imported only when a model is checked

        load = VoskRecognizer
    started = time.perf_counter()
    try:
        loaded = load(model, language)
        seconds = float(getattr(loaded, "load_seconds", time.perf_counter() - started))
        getattr(loaded, "close", lambda: None)()  # free the memory before the kiosk needs it
    except ModelError as exc:
        # The loader names the staging folder, which is gone by now: name the operator's source.
        raise ModelError(f"{str(exc).replace(str(model), str(source))} The model was not "
                         "installed.") from exc
    except Exception as exc:
        raise ModelError(f"The {engine} speech model in {source} did not load, so it was not "
                         f"installed: {exc}.") from exc
    installed = InstalledModel(
        language=language, engine=engine, path=target / "model",
        size_bytes=sum(f.stat().st_size for f in model.rglob("*") if f.is_file()),
        load_seconds=round(seconds, 3), added_at=datetime.now(UTC).replace(microsecond=0),
        source=source.name)
    metadata = {**asdict(installed), "added_at": installed.added_at.isoformat()}
    del metadata["path"]  # where it lies is where it is found, not what the file says
    (staging / METADATA).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    language_dir.mkdir(exist_ok=True)
    swap_into_place(staging, target)
    log.info("installed %s model for %s (%d bytes)", engine, language, installed.size_bytes)
    return installed


def swap_into_place(staging: Path, target: Path) -> None:
    """Rename a checked staging folder to target, replacing what is there only once the new
    one is in place (the old one is put back if the rename fails)."""
    old = staging.with_name(f".removing-{staging.name}")
    if target.exists():
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)  # put back the one that worked
        raise
    shutil.rmtree(old, ignore_errors=True)


def _read_metadata(folder: Path) -> InstalledModel:
    data = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    if (data["engine"], data["language"]) != (folder.name, folder.parent.name):
        raise ValueError(f"says {data['engine']}/{data['language']} but lies in {folder}")
    return InstalledModel(
        language=folder.parent.name, engine=cast(Engine, folder.name), path=folder / "model",
        size_bytes=int(data["size_bytes"]), load_seconds=float(data["load_seconds"]),
        added_at=datetime.fromisoformat(data["added_at"]), source=str(data["source"]))


def list_models(models_dir: Path) -> list[InstalledModel]:
    """Every installed model, by language then engine preference. A folder whose model.json is
    missing or unreadable is skipped with a warning in the log."""
    found: list[InstalledModel] = []
    languages = sorted(models_dir.iterdir()) if models_dir.is_dir() else []
    for folder in (d / e for d in languages if not d.name.startswith(".") for e in ENGINES):
        try:
            if folder.is_dir():
                found.append(_read_metadata(folder))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping speech model in %s: %s", folder, exc)
    return found


def find_model(models_dir: Path, language: str) -> InstalledModel | None:
    """The model for language: Vosk, else Whisper; "pt-BR" falls back to a "pt" model."""
    installed = {(m.language, m.engine): m for m in list_models(models_dir)}
    wanted = ((code, engine) for code in (language, language.split("-")[0]) for engine in ENGINES)
    return next((installed[key] for key in wanted if key in installed), None)
