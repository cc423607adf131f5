"""Test-wide isolation: a private HOME/XDG/state tree and a guard that keeps tests on loopback.

The environment is set in ``pytest_configure`` (before test modules are imported), because
some libraries read XDG paths at import time. The network guard is an autouse session fixture.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_NETGUARD = Path(__file__).parent / "netguard"
sys.path.insert(0, str(_NETGUARD))
from netguard import install  # noqa: E402  (the folder child processes get on PYTHONPATH)

# The real servers' fixtures (Medplum, oidc-provider, both as one deployment) and the real
# Whisper model, for every test.
pytest_plugins = ["tests.servers.medplum", "tests.servers.oidc_provider",
                  "tests.servers.two_origins", "tests.documents_server",
                  "tests.speech.whisper_model"]

_ISOLATED_VARS = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                  "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HELSELOS_STATE_DIR")
_saved_env: dict[str, str | None] = {}
_sandbox: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _sandbox
    _sandbox = Path(tempfile.mkdtemp(prefix="helselos-tests-"))
    targets = {
        "HOME": _sandbox / "home",
        "XDG_CONFIG_HOME": _sandbox / "home" / ".config",
        "XDG_DATA_HOME": _sandbox / "home" / ".local" / "share",
        "XDG_CACHE_HOME": _sandbox / "home" / ".cache",
        "XDG_STATE_HOME": _sandbox / "home" / ".local" / "state",
        "XDG_RUNTIME_DIR": _sandbox / "run",
        "HELSELOS_STATE_DIR": _sandbox / "state",
    }
    for name in _ISOLATED_VARS:
        _saved_env[name] = os.environ.get(name)
        targets[name].mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ[name] = str(targets[name])
    # A real /etc/helselos/kiosk.toml on the test machine must not change what tests see.
    _saved_env["HELSELOS_CONFIG"] = os.environ.get("HELSELOS_CONFIG")
    os.environ["HELSELOS_CONFIG"] = str(_sandbox / "kiosk.toml")
    (_sandbox / "kiosk.toml").write_text("", encoding="utf-8")
    _saved_env["PYTHONPATH"] = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_NETGUARD), os.environ.get("PYTHONPATH")) if p)


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if _sandbox is not None:
        shutil.rmtree(_sandbox, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def network_guard() -> Iterator[None]:
    """Refuse every connection, datagram and name lookup that would leave the machine, here
    and (through sitecustomize on PYTHONPATH) in every Python child process."""
    install()
    yield


def ctrl_c_stops() -> None:
    """In a child about to run a command stopped by Ctrl+C: let SIGINT stop it. A test run
    started in the background (``cmd &``) inherits SIGINT ignored, and so would the child."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def separate_demo_service() -> Iterator[str]:
    """The practice health service in its own process (``kiosk demo-backend``), as a separate
    server would be: its data is not in the memory of the kiosk under test. Yields its URL."""
    import signal
    import subprocess
    import time

    import requests

    from tests.kiosk.test_cli import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "demo-backend", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=ctrl_c_stops,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("the demo backend did not answer on /health")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
