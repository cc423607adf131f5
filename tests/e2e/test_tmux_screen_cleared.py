"""The screen is cleared when the kiosk dies: the service unit's ExecStartPre and ExecStopPost
lines, run in a real terminal as systemd runs them on the console, leave nothing of a killed
kiosk's last screen (or of whatever was drawn before it started)."""

from __future__ import annotations

import os
import shlex
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, kiosk_env
from tests.unit_file import unit_command

pytestmark = pytest.mark.e2e

def test_stop_post_clears_a_killed_kiosks_screen(tmp_path: Path) -> None:
    pid_file = tmp_path / "kiosk.pid"
    script = (f"{shlex.quote(str(KIOSK))} run --no-speech --language en & "
              f"echo $! > {shlex.quote(str(pid_file))}; wait; "
              f"{unit_command('ExecStopPost', KIOSK)}; echo stop-post-ran; sleep 60")
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
    script = (f"printf 'Kari Nordmann 13:40\\n'; {unit_command('ExecStartPre', KIOSK)}; "
              "echo start-pre-ran; sleep 60")
    pane = Pane(["sh", "-c", script], kiosk_env(tmp_path), tmp_path / "tmux.sock")
    try:
        pane.wait_for(r"start-pre-ran")
        assert "Kari" not in pane.text()
    finally:
        pane.close()
