"""The guide engine must work without the UI: importing it never loads textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_guide_modules_do_not_import_textual() -> None:
    code = (
        "import kiosk.guides.runner, kiosk.guides.loader, kiosk.guides.schema, sys;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual');"
        "assert not bad, bad"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_check_itself_can_fail() -> None:
    code = "import kiosk.guides.runner, textual.app, sys; assert not 'textual' in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False)
    assert done.returncode != 0
