"""The unit draws on its terminal: kiosk.service's ExecStart, run in a real terminal with the
unit's own stdio wiring (StandardInput/Output/Error) and Environment= lines, shows the first
screen there, and its log reaches the journal (a datagram socket the test binds where journald's
would be), not the screen."""

from __future__ import annotations

import shlex
import socket
from pathlib import Path

import pytest

from tests.e2e.terminal import KIOSK, Pane, kiosk_env
from tests.unit_file import service, unit_command

pytestmark = pytest.mark.e2e

# What systemd connects each stream to, as a shell redirection inside the test's terminal:
# "tty" is the terminal itself; anything else (journal, null, a file) is not the screen.
STREAMS = (("StandardInput", "<", "/dev/null"), ("StandardOutput", ">", "stream.log"),
           ("StandardError", "2>", "stream.log"))


def unit_wiring(tmp_path: Path) -> str:
    unit = service()
    redirections = []
    for key, operator, elsewhere in STREAMS:
        value = unit.get(key, ["inherit"])[-1]
        if value != "tty":
            target = elsewhere if elsewhere.startswith("/") else str(tmp_path / elsewhere)
            redirections.append(f"{operator}{shlex.quote(target)}")
    return " ".join(redirections)


def unit_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in service().get("Environment", []):
        for assignment in shlex.split(line):
            name, _, value = assignment.partition("=")
            env[name] = value
    return env


def test_the_units_kiosk_draws_its_first_screen_on_its_terminal(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.socket"
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(str(journal_path))
    journal.settimeout(30)
    env = kiosk_env(tmp_path)
    env.update(unit_environment())
    env["HELSELOS_JOURNAL_SOCKET"] = str(journal_path)
    script = f"exec {unit_command('ExecStart', KIOSK)} {unit_wiring(tmp_path)}"
    pane = Pane(["sh", "-c", script], env, tmp_path / "tmux.sock")
    try:
        # The embedded default language is Norwegian bokmål.
        pane.wait_for(r"Velkommen til helsekiosken")
        assert b"kiosk: starting" in journal.recv(65536)
    finally:
        pane.close()
        journal.close()
    stream_log = tmp_path / "stream.log"
    assert not stream_log.exists() or "Velkommen" not in stream_log.read_text(errors="replace")
