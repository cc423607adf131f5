"""Import direction and module hygiene: the engine never pulls in Textual; every module says
what it is for."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "speech", "translations", "helper_mode", "hardware")
# Engine = everything below the UI: these may be imported by a service, a test or the doctor
# without a terminal. The UI (kiosk.app, kiosk.screens, kiosk.widgets) and the CLI are not here.
ENGINE_PACKAGES = ("kiosk.guides", "kiosk.services", "kiosk.policy", "speech", "translations",
                   "helper_mode", "hardware")
ENGINE_MODULES = ("kiosk.session", "kiosk.config", "kiosk.clock", "kiosk.idle", "kiosk.runtime")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def engine_modules() -> list[str]:
    names = set(ENGINE_MODULES)
    for package in ENGINE_PACKAGES:
        folder = ROOT.joinpath(*package.split("."))
        names.update(module_name(p) for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(names)


def test_engine_modules_do_not_import_textual() -> None:
    modules = engine_modules()
    assert "kiosk.guides.model" in modules and "speech" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_the_check_would_see_textual() -> None:
    script = "import sys, kiosk.screens, textual.app; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.stdout.strip() == "True", result.stderr


def test_every_module_starts_with_a_docstring() -> None:
    missing = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        first = tree.body[0] if tree.body else None
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.value.value.strip()
        ):
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []
