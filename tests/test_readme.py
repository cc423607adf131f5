"""The README documents every setting with the docstring it has in kiosk/config.py."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import msgspec

from kiosk.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def field_docs() -> dict[str, str]:
    tree = ast.parse((ROOT / "kiosk" / "config.py").read_text(encoding="utf-8"))
    settings = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    docs = {}
    for node, after in zip(settings.body, settings.body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
            docs[node.target.id] = str(after.value.value)
    return docs


def test_every_setting_is_in_the_readme_with_its_docstring() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line.replace("\\|", "|")  # a table's escape
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    docs = field_docs()
    names = [f.name for f in msgspec.structs.fields(Settings)]
    assert sorted(docs) == sorted(names), "every Settings field needs a docstring"
    for name in names:
        assert name in rows, f"README's configuration table lacks {name}"
        doc = " ".join(docs[name].split())
        assert doc in rows[name], f"README's text for {name} differs from config.py"


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("## ")]
    assert "./helselos.sh run" in head and "./helselos.sh test" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci == ["#!/usr/bin/env bash", "exec ./helselos.sh test"]


def test_helselos_sh_explains_itself_and_refuses_unknown_commands() -> None:
    script = str(ROOT / "helselos.sh")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0
    assert "./helselos.sh run" in shown.stdout and "./helselos.sh test" in shown.stdout
    wrong = subprocess.run([script, "deploy"], capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "unknown command 'deploy'" in wrong.stderr
    syntax = subprocess.run(["bash", "-n", script], capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr


def test_readme_says_bookings_bypass_the_outbox() -> None:
    """Bookings are sent while the citizen waits (the time is theirs only once the service
    says so); the README must not promise they wait in the outbox."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    outbox_sentence = text[text.index("Sending what a citizen submits"):]
    outbox_sentence = outbox_sentence[:outbox_sentence.index("**outbox**")]
    assert "booking" not in outbox_sentence
    assert "do **not** go through the outbox" in text
    booking_code = (ROOT / "kiosk" / "services" / "tasks" / "appointments.py").read_text(
        encoding="utf-8")
    assert "sender" not in booking_code and "outbox" not in booking_code
