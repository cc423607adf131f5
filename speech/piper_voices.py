"""Piper neural voices: one per language in the kiosk's voices folder, and speaking with one.

Piper (``piper-tts``) runs an ONNX voice offline; older listeners find it far more natural than
espeak-ng. Operators add voices from files (``kiosk voices add``); nothing is downloaded. Layout::

    <voices_dir>/<language>/voice.onnx        the voice, as Piper loads it
    <voices_dir>/<language>/voice.onnx.json   its configuration (Piper needs both)
    <voices_dir>/<language>/voice.json        language, size, load time, added at, source name

As with speech models (speech/models.py), ``add_voice`` builds the folder in a hidden staging
folder and renames it into place only after the voice has loaded and spoken a short text: a
broken voice, or a crash part-way, leaves nothing that ``list_voices`` shows.
"""

from __future__ import annotations

import array
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import wave
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from speech.models import swap_into_place

log = logging.getLogger(__name__)

METADATA = "voice.json"
MODEL = "voice.onnx"
CONFIG = "voice.onnx.json"
CHECK_TEXT = "1 2 3"
"""What ``add_voice`` has a new voice say: digits, so a voice of any language can say it."""
DEFAULT_WPM = 160
"""The speech rate (words per minute) at which a Piper voice speaks at its own pace."""
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # the form translations/languages.py checks
OFFLINE_PHONEMES = ("espeak", "text")
"""Piper voices whose phonemes come from its bundled espeak-ng or the text itself. Others (the
Chinese one) fetch a model from the internet at first use: the kiosk downloads nothing."""


class VoiceError(Exception):
    """A voice could not be installed or used; str() is one plain sentence for the operator."""


@dataclass(frozen=True)
class InstalledVoice:
    language: str
    path: Path
    """The voice's .onnx file (its .onnx.json lies beside it)."""
    size_bytes: int
    load_seconds: float
    added_at: datetime
    source: str
    """The file name it was added from."""


def is_silent(wav: Path) -> bool:
    """True when a 16-bit WAV holds no samples or only near-silence (a voice that says nothing)."""
    with wave.open(str(wav), "rb") as reader:
        samples = array.array("h")
        samples.frombytes(reader.readframes(reader.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return not samples or max(abs(s) for s in samples) < 300


class PiperSpeaker:
    """One loaded Piper voice. ``speak`` is serialised: an ONNX session is reused, not shared."""

    def __init__(self, model: Path) -> None:
        # Otherwise onnxruntime writes a device id and looks up its telemetry host by DNS.
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        # Imported here: onnxruntime costs memory and start-up time a kiosk without a Piper
        # voice should not pay.
        from piper import PiperVoice

        config = model.with_name(model.name + ".json")
        try:
            self._voice: Any = PiperVoice.load(model, config_path=config)
        except Exception as exc:  # onnxruntime and json raise many kinds; all mean "unusable"
            raise VoiceError(f"the Piper voice {model} did not load: {exc}") from exc
        self._lock = threading.Lock()

    def speak(self, text: str, target: Path, rate: int = DEFAULT_WPM) -> None:
        """Write text as 16-bit mono WAV at the voice's own sample rate into target."""
        from piper import SynthesisConfig

        # Piper's length_scale stretches every phoneme: twice as long is half the rate.
        config = SynthesisConfig(length_scale=DEFAULT_WPM / rate)
        with self._lock, wave.open(str(target), "wb") as writer:
            self._voice.synthesize_wav(text, writer, syn_config=config)


def _check(model: Path) -> float:
    """Load the staged voice and have it speak; return the load time, or VoiceError."""
    started = time.perf_counter()
    speaker = PiperSpeaker(model)
    seconds = time.perf_counter() - started
    probe = model.with_name("check.wav")
    try:
        speaker.speak(CHECK_TEXT, probe)
        silent = is_silent(probe)
    except Exception as exc:
        raise VoiceError(f"the Piper voice did not speak: {exc}") from exc
    finally:
        probe.unlink(missing_ok=True)
    if silent:
        raise VoiceError("the Piper voice loaded but made no sound")
    return seconds


def add_voice(source: Path, language: str, voices_dir: Path, *,
              replace: bool = False) -> InstalledVoice:
    """Install the Piper voice source (.onnx, with source.onnx.json beside it) for language.

    The voice is loaded and speaks a short text first. Raises VoiceError with a plain sentence;
    nothing is left installed then.
    """
    if not _CODE.fullmatch(language):
        raise VoiceError(f"{language!r} is not a language code: use one such as 'nb' or 'en'.")
    config = source.with_name(source.name + ".json")
    if not source.is_file():
        raise VoiceError(f"There is no file at {source}.")
    if source.suffix != ".onnx":
        raise VoiceError(f"{source} is not a Piper voice: its name must end in .onnx.")
    if not config.is_file():
        raise VoiceError(f"{source} has no configuration beside it: copy {config.name} into the "
                         "same folder (Piper needs both files).")
    try:
        phonemes = json.loads(config.read_text(encoding="utf-8")).get("phoneme_type", "espeak")
    except (OSError, ValueError, AttributeError) as exc:
        raise VoiceError(f"{config} is not a Piper voice configuration: {exc}.") from exc
    if phonemes not in OFFLINE_PHONEMES:
        raise VoiceError(f"{source} needs {phonemes!r} phonemes, which Piper downloads at first "
                         "use; the kiosk takes only voices that work offline (espeak, text).")
    target = voices_dir / language
    if target.exists() and not replace:
        raise VoiceError(f"A voice for {language!r} is already installed in {target}; use "
                         "--replace to replace it.")
    staging: Path | None = None
    try:
        voices_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".adding-", dir=voices_dir))
        staging.chmod(0o755)  # mkdtemp makes 0700; the kiosk's own user must read the voice
        shutil.copyfile(source, staging / MODEL)
        shutil.copyfile(config, staging / CONFIG)
        try:
            seconds = _check(staging / MODEL)
        except VoiceError as exc:
            message = str(exc).replace(str(staging / MODEL), str(source))
            raise VoiceError(f"{message}. It was not installed.") from exc
        installed = InstalledVoice(
            language=language, path=target / MODEL,
            size_bytes=(staging / MODEL).stat().st_size + (staging / CONFIG).stat().st_size,
            load_seconds=round(seconds, 3), added_at=datetime.now(UTC).replace(microsecond=0),
            source=source.name)
        metadata = {**asdict(installed), "added_at": installed.added_at.isoformat()}
        del metadata["path"]  # where it lies is where it is found, not what the file says
        (staging / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        swap_into_place(staging, target)
    except OSError as exc:  # permissions, a full disk: still one plain sentence
        raise VoiceError(f"{source} could not be installed in {voices_dir}: "
                         f"{exc.strerror or exc}.") from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("installed Piper voice for %s (%d bytes)", language, installed.size_bytes)
    return installed


def _read(folder: Path) -> InstalledVoice:
    data = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    if data["language"] != folder.name or not (folder / MODEL).is_file():
        raise ValueError(f"says {data['language']} but lies in {folder}, or has no {MODEL}")
    return InstalledVoice(
        language=folder.name, path=folder / MODEL, size_bytes=int(data["size_bytes"]),
        load_seconds=float(data["load_seconds"]),
        added_at=datetime.fromisoformat(data["added_at"]), source=str(data["source"]))


def list_voices(voices_dir: Path) -> list[InstalledVoice]:
    """Every installed voice by language; a folder with a missing or unreadable voice.json is
    skipped with a warning in the log."""
    found = []
    folders = sorted(voices_dir.iterdir()) if voices_dir.is_dir() else []
    for folder in (f for f in folders if f.is_dir() and not f.name.startswith(".")):
        try:
            found.append(_read(folder))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping Piper voice in %s: %s", folder, exc)
    return found


def find_voice(voices_dir: Path | None, language: str) -> InstalledVoice | None:
    """The installed voice for language, or None."""
    if voices_dir is None:
        return None
    return next((v for v in list_voices(voices_dir) if v.language == language), None)
