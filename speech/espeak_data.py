"""espeak-ng voices beyond the system's: the newer espeak-ng data bundled in the piper-tts wheel.

Debian 12's espeak-ng 1.51 has no Tigrinya; the espeak-ng 1.52 data inside ``piper-tts`` has.
pyttsx3 holds one espeak-ng per process, initialised once with the system data, so these voices
are spoken by the ``espeak-ng`` command with ``ESPEAK_DATA_PATH`` pointed at the bundled data.
The text goes in on stdin, never on the command line, where any local user could read it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

TIMEOUT_S = 30.0


@cache
def bundled_data_path() -> Path | None:
    """The folder holding piper-tts's ``espeak-ng-data``, or None without piper-tts."""
    spec = importlib.util.find_spec("piper")  # found, not imported: no onnxruntime at start-up
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        if (Path(folder) / "espeak-ng-data" / "phontab").is_file():
            return Path(folder)
    return None


def _voice_names(listing: str) -> set[str]:
    """Language codes and voice files ("ti", "sem/ti") in ``espeak-ng --voices`` output."""
    names: set[str] = set()
    for line in listing.splitlines()[1:]:  # the first line is the column headings
        fields = line.split()
        if len(fields) >= 5:
            names.update((fields[1], fields[4], fields[4].rsplit("/", 1)[-1]))
    return names


def _list(data_path: Path | None) -> set[str]:
    command = shutil.which("espeak-ng")
    if command is None:
        return set()
    env = dict(os.environ)
    if data_path is not None:
        env["ESPEAK_DATA_PATH"] = str(data_path)
    try:
        done = subprocess.run([command, "--voices"], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError):
        return set()
    return _voice_names(done.stdout)


@cache
def system_voices() -> set[str]:
    """Voice names the system's espeak-ng knows (what pyttsx3 speaks with)."""
    return _list(None)


@cache
def extra_voices() -> set[str]:
    """Voice names only the bundled data has (e.g. "ti"); empty without piper-tts or espeak-ng."""
    data_path = bundled_data_path()
    return _list(data_path) - system_voices() if data_path is not None else set()


def speak(text: str, voice: str, rate: int, target: Path) -> None:
    """Write text spoken by a bundled voice as 16-bit mono WAV into target; OSError, or
    subprocess.SubprocessError when espeak-ng fails."""
    data_path = bundled_data_path()
    command = shutil.which("espeak-ng")
    if data_path is None or command is None:
        raise FileNotFoundError("espeak-ng or the piper-tts espeak-ng data is not installed")
    env = {**os.environ, "ESPEAK_DATA_PATH": str(data_path)}
    subprocess.run([command, "-v", voice, "-s", str(rate), "-w", str(target), "--stdin"],
                   input=text, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
                   check=True)
