"""Translation code is engine code: it must load without Textual."""

from __future__ import annotations

import subprocess
import sys

from translations.extract import ROOT


def test_translations_do_not_import_textual() -> None:
    code = (
        "import sys, translations.catalog, translations.extract, translations.languages\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
