"""Module hygiene, and the checks that hold the layering: every module says what it is for;
`lint-imports` (the contracts in pyproject.toml) and `mypy` pass on the tree and fail on a
copy of it with a deliberate violation, so neither can pass by checking nothing."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "speech", "translations", "helper_mode", "hardware")
def python_files() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


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


BIN = Path(sys.executable).parent


def run(tool: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool)], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and pyproject.toml, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def spoil(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_import_contract(tree: Path) -> None:
    checked = run("lint-imports", tree)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("kiosk/guides/runner.py", "import textual.app  # noqa", "The engine never imports Textual"),
    ("speech/voice.py", "from kiosk.screens import base  # noqa", "The engine never imports"),
    ("kiosk/widgets/say.py", "import kiosk.app  # noqa", "Widgets are drawn from what"),
    ("kiosk/demo/booking.py", "from kiosk.services import fhir  # noqa",
     "The practice service stands alone"),
])
def test_a_broken_import_contract_fails(tree: Path, module: str, line: str,
                                        contract: str) -> None:
    spoil(tree / module, line)
    checked = run("lint-imports", tree)
    assert checked.returncode != 0
    assert f"{contract}" in checked.stdout and "BROKEN" in checked.stdout


def test_mypy_passes_and_fails_on_a_type_error(tree: Path) -> None:
    checked = run("mypy", tree)
    assert checked.returncode == 0, checked.stdout
    spoil(tree / "kiosk" / "guides" / "runner.py", 'WRONG: int = "not a number"')
    checked = run("mypy", tree)
    assert checked.returncode != 0
    assert "kiosk/guides/runner.py" in checked.stdout and "[assignment]" in checked.stdout
