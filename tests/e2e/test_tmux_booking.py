"""End to end: the real `kiosk` command in a real terminal (tmux 100x32), driven by keys like a
citizen at the keypad, signing in like a phone would, and booking an appointment."""

from __future__ import annotations

import html
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

KIOSK = Path(sys.executable).parent / "kiosk"
POLL_S = 0.1


class Pane:
    """One tmux session on a private tmux server: keys in, screen text out."""

    def __init__(self, command: list[str], env: dict[str, str], socket: Path) -> None:
        # A private server socket: nothing is shared with (or left in) the user's tmux.
        self.tmux = ["tmux", "-S", str(socket)]
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", "kiosk", "-x", "100", "-y", "32",
             shlex.join(command)],
            check=True, env=env, timeout=30,
        )
        # Keep the pane after the kiosk exits, so a crash leaves its last screen to read.
        subprocess.run([*self.tmux, "set-option", "-t", "kiosk", "remain-on-exit", "on"],
                       capture_output=True, timeout=30)

    def text(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", "kiosk"],
            capture_output=True, text=True, timeout=30,
        ).stdout

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", "kiosk", *keys], check=True, timeout=30)

    def wait_for(self, pattern: str, timeout_s: float = 30.0) -> re.Match[str]:
        """The first match of a regex on the screen; fails with the screen after timeout_s."""
        deadline = time.monotonic() + timeout_s
        while True:
            screen = self.text()
            found = re.search(pattern, screen)
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout_s} s for {pattern!r}; the screen shows:\n{screen}")
            time.sleep(POLL_S)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    env = dict(os.environ)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / "home")
    env["HELSELOS_STATE_DIR"] = str(tmp_path / "state")
    config = tmp_path / "kiosk.toml"
    config.write_text("", encoding="utf-8")
    env["HELSELOS_CONFIG"] = str(config)
    (tmp_path / "home").mkdir()
    env.pop("TMUX", None)
    command = [str(KIOSK), "run", "--no-speech", "--language", "en", "--demo-seed", "7"]
    pane = Pane(command, env, tmp_path / "tmux.sock")
    try:
        yield pane
    finally:
        pane.close()


def approve_on_phone(page_url: str, user_code: str, patient: str | None = None) -> str:
    """What a citizen does on their phone: open the page, check the code, pick who they are
    (``patient``, or the first person the page offers); returns the patient id chosen."""
    form = requests.get(page_url, params={"user_code": user_code}, timeout=10)
    assert form.status_code == 200, form.text
    assert user_code in form.text
    patients = [html.unescape(p) for p in re.findall(r"name='patient' value='([^']+)'",
                                                     form.text)]
    assert patients, form.text
    chosen = patients[0] if patient is None else patient
    assert chosen in patients, form.text
    done = requests.post(
        page_url,
        data={"user_code": user_code, "patient": chosen, "decision": "approve"},
        timeout=10,
    )
    assert done.status_code == 200 and "You are signed in" in done.text, done.text
    return chosen


def test_book_an_appointment_with_keys_and_a_phone(pane: Pane) -> None:
    pane.wait_for(r"Welcome to the health kiosk")
    pane.send("Enter")  # presses Start, which has the focus
    pane.wait_for(r"Choose your language")
    pane.send("2")
    pane.wait_for(r"What do you want to do\?")
    pane.send("1")
    pane.wait_for(r"1  Book a new appointment")
    pane.send("1")

    pane.wait_for(r"Sign in with your phone")
    page = pane.wait_for(r"Or open (http://127\.0\.0\.1:\d+/device) on your phone").group(1)
    code = pane.wait_for(r"\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b").group(1)
    approve_on_phone(page, code)
    pane.wait_for(r"How do you want to meet the doctor\?", timeout_s=40)
    pane.send("1")  # at the GP office

    first_time = pane.wait_for(r"1  (\w+ \d{1,2} \w+ at \d{2}:\d{2})", timeout_s=40).group(1)
    pane.send("1")
    asked = pane.wait_for(r"at the GP office on (.+)\. Is that right\?").group(1)
    assert asked == first_time
    pane.send("1")  # Yes
    booked = pane.wait_for(r"at the GP office is booked for (.+)\.", timeout_s=40).group(1)
    assert booked == first_time

    pane.send("1")  # Done: the kiosk forgets the visit and waits for the next citizen
    pane.wait_for(r"Welcome to the health kiosk")
    assert first_time not in pane.text()
