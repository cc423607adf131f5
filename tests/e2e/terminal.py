"""The end-to-end tests' terminal: the installed `kiosk` command in a private tmux server, with
its own home, state dir and config file, and what a citizen's phone does to sign in."""

from __future__ import annotations

import html
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

KIOSK = Path(sys.executable).parent / "kiosk"
POLL_S = 0.1


def kiosk_env(tmp_path: Path, config: str = "") -> dict[str, str]:
    """An environment where the kiosk finds nothing of this machine's user: home, XDG dirs,
    state dir and config file (holding ``config``) all under tmp_path, and no outer tmux."""
    env = dict(os.environ)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(config, encoding="utf-8")
    env.update(HELSELOS_STATE_DIR=str(tmp_path / "state"), HELSELOS_CONFIG=str(config_file))
    env.pop("TMUX", None)
    return env


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
