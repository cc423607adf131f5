"""Apertium: rule-based machine translation between bokmål, nynorsk and Swedish, from the
Debian packages apertium-nno-nob and apertium-swe-nor (with apertium-recursive).

It runs the ``apertium`` command in a child process with a timeout, so a stuck or crashing
translator costs one text, never the kiosk. Which pairs exist is read from the mode files the
packages install; nothing else is looked up.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from translations.mt import EngineFailed, Pair

MODES_DIR = Path("/usr/share/apertium/modes")

CODES = {"nb": "nob", "nn": "nno", "sv": "swe"}
"""The kiosk's language codes -> Apertium's (ISO 639-3)."""

TIMEOUT_S = 20.0
"""A GP office's message is a few hundred words; Apertium does that in well under a second."""


@cache
def _installed(modes_dir: Path) -> frozenset[Pair]:
    if shutil.which("apertium") is None:
        return frozenset()
    return frozenset((a, b) for a, x in CODES.items() for b, y in CODES.items()
                     if a != b and (modes_dir / f"{x}-{y}.mode").is_file())


class Apertium:
    name = "apertium"

    def __init__(self, modes_dir: Path = MODES_DIR, timeout_s: float = TIMEOUT_S) -> None:
        self.modes_dir = modes_dir
        self.timeout_s = timeout_s

    def pairs(self) -> frozenset[Pair]:
        return _installed(self.modes_dir)

    def translate(self, text: str, source: str, target: str) -> str:
        # -u: no "*" before unknown words; the citizen would read it as part of the text.
        command = ["apertium", "-u", f"{CODES[source]}-{CODES[target]}"]
        try:
            done = subprocess.run(command, input=text, capture_output=True, text=True,
                                  timeout=self.timeout_s, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            raise EngineFailed("apertium") from exc
        result = done.stdout.strip()
        if not result:
            raise EngineFailed("apertium gave no text")
        return result
