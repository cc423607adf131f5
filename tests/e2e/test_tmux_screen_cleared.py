"""The screen is cleared when the kiosk dies: the service unit's ExecStartPre and ExecStopPost
lines, run in a real terminal as systemd runs them on the console, leave nothing of a killed
kiosk's last screen (or of whatever was drawn before it started)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, kiosk_env

pytestmark = pytest.mark.e2e

UNIT = Path(__file__).resolve().parents[2] / "kiosk.service"
INSTALLED_KIOSK = "/opt/helselos/.venv/bin/kiosk"


def unit_command(key: str) -> str:
    """The unit's command line for key, pointed at the kiosk of this checkout."""
    found = re.search(rf"^{key}=(.+)$", UNIT.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, f"kiosk.service has no {key}= line"
    return found.group(1).replace(INSTALLED_KIOSK, str(KIOSK))


def test_stop_post_clears_a_killed_kiosks_screen(tmp_path: Path) -> None:
    pid_file = tmp_path / "kiosk.pid"
    script = (f"{shlex.quote(str(KIOSK))} run --no-speech --language en & "
              f"echo $! > {shlex.quote(str(pid_file))}; wait; "
              f"{unit_command('ExecStopPost')}; echo stop-post-ran; sleep 60")
    pane = Pane(["sh", "-c", script], kiosk_env(tmp_path), tmp_path / "tmux.sock")
    try:
        pane.wait_for(r"Welcome to the health kiosk")
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        pane.wait_for(r"stop-post-ran")
        time.sleep(0.2)
        assert "Welcome" not in pane.text() and "kiosk" not in pane.text(), pane.text()
    finally:
        pane.close()


def test_start_pre_clears_what_was_on_the_console(tmp_path: Path) -> None:
    script = (f"printf 'Kari Nordmann 13:40\\n'; {unit_command('ExecStartPre')}; "
              "echo start-pre-ran; sleep 60")
    pane = Pane(["sh", "-c", script], kiosk_env(tmp_path), tmp_path / "tmux.sock")
    try:
        pane.wait_for(r"start-pre-ran")
        assert "Kari" not in pane.text()
    finally:
        pane.close()
