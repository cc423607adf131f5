"""Helper-mode code is engine code: it must load without Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_helper_mode_does_not_import_textual() -> None:
    code = (
        "import sys, helper_mode.assist, helper_mode.audit, helper_mode.staff\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
