"""Settings checked fully: each bad file, value, path or host the issue names stops `kiosk run`
with one line (naming the file or variable and the field) and exit status 2, never a traceback,
and never starts a kiosk with a safeguard switched off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).parent / "kiosk"


def run_kiosk(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
              config: bytes = b"") -> subprocess.CompletedProcess[str]:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(config)
    full_env = dict(os.environ, HOME=str(tmp_path), HELSELOS_CONFIG=str(path),
                    HELSELOS_STATE_DIR=str(tmp_path / "state"))
    full_env.update(env or {})
    return subprocess.run([str(KIOSK), "run", "--no-speech", *args], env=full_env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(("config", "words"), [
    (b'kiosk_name = "Bibliotek \xf8st"\n', ("kiosk.toml", "UTF-8")),
    (b"http_timeout_s = nan\n", ("kiosk.toml", "http_timeout_s", "finite")),
    (b"http_timeout_s = inf\n", ("kiosk.toml", "http_timeout_s", "finite")),
    (b"idle_timeout_s = 99999999999999999999999\n", ("kiosk.toml", "idle_timeout_s", "3600")),
    (b"idle_timeout_s = 150.5\n", ("kiosk.toml", "idle_timeout_s", "whole number")),
    (b"http_retries = 1.5\n", ("kiosk.toml", "http_retries", "whole number")),
    (b"fhir_base_url = 5\n", ("kiosk.toml", "fhir_base_url", "text")),
    (b'fhir_base_url = "fhir.example.org"\n', ("fhir_base_url", "https://")),
])
def test_bad_configuration_files(tmp_path: Path, config: bytes, words: tuple[str, ...]) -> None:
    one_clear_line(run_kiosk(tmp_path, config=config), *words)


@pytest.mark.parametrize(("env", "words"), [
    ({"HELSELOS_STATE_DIR": "/proc/foo"}, ("state_dir", "/proc/foo")),
    ({"HELSELOS_DEMO_HOST": "999.1.1.1"}, ("demo_host", "999.1.1.1")),
    ({"HELSELOS_HTTP_TIMEOUT_S": "nan"}, ("HELSELOS_HTTP_TIMEOUT_S", "finite")),
    ({"HELSELOS_IDLE_TIMEOUT_S": "1e30"}, ("HELSELOS_IDLE_TIMEOUT_S", "whole number")),
])
def test_bad_environment(tmp_path: Path, env: dict[str, str], words: tuple[str, ...]) -> None:
    one_clear_line(run_kiosk(tmp_path, env=env), *words)


def test_bad_audio_option(tmp_path: Path) -> None:
    one_clear_line(run_kiosk(tmp_path, "--audio", "bogus"), "audio_output", "bogus")


def test_unreadable_configuration_file(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.toml"
    folder.mkdir()
    one_clear_line(run_kiosk(tmp_path, env={"HELSELOS_CONFIG": str(folder)}),
                   "a-folder.toml", "cannot read")
