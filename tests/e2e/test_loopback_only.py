"""The kiosk needs no network beyond loopback: the same visits, run again inside a network
namespace that has nothing but a loopback interface (``unshare --net``, as an unprivileged user
through a user namespace). Machine translation (Argos's onnxruntime would otherwise look up
hosts), Whisper, the demo health service, sign-in and the real terminal all run there; a call
to anywhere else would fail inside, so a pass there is proof from outside the process, not only
the test-wide network guard's word.

The visits are the project's own tests, run by a pytest inside the namespace: one booking in a
real terminal, one by voice alone, one with the GP office's words machine-translated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VISITS = [
    "tests/e2e/test_tmux_booking.py",
    "tests/kiosk/test_app_voice.py::test_booking_an_appointment_by_voice_alone",
    "tests/kiosk/test_app_machine_translation.py",
]


def loopback_only(command: list[str]) -> list[str]:
    """command in a new user and network namespace, with its loopback interface up."""
    script = 'ip link set lo up && exec "$@"'
    return ["unshare", "--user", "--map-root-user", "--net", "sh", "-c", script, "sh", *command]


def plain_env(home: str) -> dict[str, str]:
    """What a service manager gives the kiosk: a path, a language, a terminal type and a home;
    the pytest inside sets up its own sandbox and network guard from there."""
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TERM": "xterm", "HOME": home}


def namespaces_allowed() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(loopback_only(["true"]), capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not namespaces_allowed(),
                    reason="this machine allows no unprivileged network namespace")
def test_visits_run_the_same_with_only_loopback() -> None:
    inside = subprocess.run(
        loopback_only(["ip", "-o", "link"]), capture_output=True, text=True, timeout=30)
    assert [line.split(":")[1].strip() for line in inside.stdout.splitlines()] == ["lo"]
    # A short folder: tmux's socket path inside it must fit a Unix socket address.
    with tempfile.TemporaryDirectory(prefix="hl-") as short:
        done = subprocess.run(
            loopback_only([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--basetemp", short, *VISITS]),
            cwd=ROOT, capture_output=True, text=True, timeout=600, env=plain_env(short))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-1000:]
