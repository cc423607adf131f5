"""The `kiosk` command in-process (argument handling, output, exit status) and as a process."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk import __version__
from kiosk.cli import build_parser, main
from tests.conftest import ctrl_c_stops

KIOSK = [sys.executable, "-m", "kiosk"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state"
    monkeypatch.setenv("HELSELOS_STATE_DIR", str(path))
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"kiosk {__version__}"


@pytest.mark.parametrize(
    "command",
    [[], ["run"], ["doctor"], ["guides"], ["guides", "check"], ["staff"], ["staff", "add"],
     ["staff", "list"], ["staff", "remove"], ["demo-backend"]],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kiosk")
    assert len(out.splitlines()) > 4
    if command:
        assert "examples:" in out


def test_top_level_help_lists_every_command_with_examples() -> None:
    text = build_parser().format_help()
    for command in ("run", "doctor", "guides", "staff", "demo-backend"):
        assert command in text
    assert "examples:" in text


def test_missing_config_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(tmp_path / "absent.toml")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "absent.toml: no such configuration file" in captured.err


def test_bad_setting_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("idle_warning_s = 5\n", encoding="utf-8")
    assert main(["--config", str(config)]) == 2
    assert "idle_warning_s" in capsys.readouterr().err


def test_unknown_language_is_a_settings_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--language", "xx", "--no-speech"]) == 2
    err = capsys.readouterr().err
    assert "unknown language 'xx'" in err and "nb" in err


def test_python_dash_m_kiosk_reports_settings_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [*KIOSK, "run", "--config", str(tmp_path / "absent.toml")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kiosk: configuration error:")


def test_guides_check_bundled_guides_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guides", "check"]) == 0
    assert "no errors" in capsys.readouterr().out


def test_guides_check_reports_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.guides.loader import bundled_guides_dir

    original = sorted(bundled_guides_dir().glob("*.yaml"))[0]
    broken = tmp_path / "broken.yaml"
    broken.write_text(original.read_text(encoding="utf-8").replace("kind: finish", "kind: finsh"),
                      encoding="utf-8")
    assert main(["guides", "check", str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.match(rf"{re.escape(str(broken))}:\d+: field '[\w.]*kind': ", lines[0]), lines
    assert "finish" in lines[0]
    assert lines[-1].endswith("error(s) in 1 guide file(s)")


def test_guides_check_missing_path_fails(tmp_path: Path) -> None:
    assert main(["guides", "check", str(tmp_path / "none.yaml")]) == 1


def test_staff_add_with_a_badge_scanned_twice(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scans = iter(["HLS-0042-7731", "HLS-0042-7731"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(scans))
    assert main(["staff", "add", "Kari", "--badge"]) == 0
    assert capsys.readouterr().out == "added staff member 'Kari'\n"
    assert "HLS-0042-7731" not in (state_dir / "staff.json").read_text(encoding="utf-8")


def test_staff_add_list_remove_with_pin_on_stdin(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("482193\n"))
    assert main(["staff", "add", "Ola Bibliotekar", "--pin-stdin"]) == 0
    assert main(["staff", "list"]) == 0
    out = capsys.readouterr().out
    assert "Ola Bibliotekar" in out.splitlines()
    assert "482193" not in (state_dir / "staff.json").read_text(encoding="utf-8")
    assert (state_dir / "staff.json").stat().st_mode & 0o777 == 0o600
    assert state_dir.stat().st_mode & 0o777 == 0o700

    assert main(["staff", "remove", "ola bibliotekar"]) == 0
    assert capsys.readouterr().out == "removed staff member 'Ola Bibliotekar'\n"
    assert main(["staff", "list"]) == 0
    assert capsys.readouterr().out == "no staff members yet: kiosk staff add NAME\n"
    events = [json.loads(line)["event"] for line in
              (state_dir / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert events == ["staff_added", "staff_removed"]


def test_staff_add_refuses_a_bad_pin(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("12\n"))
    assert main(["staff", "add", "Kari", "--pin-stdin"]) == 2
    assert "6 to 8 digits" in capsys.readouterr().err


def test_staff_add_asks_twice_and_refuses_a_mismatch(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["382915", "730642"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["staff", "add", "Kari"]) == 2
    assert "differ" in capsys.readouterr().err
    assert not (state_dir / "staff.json").exists()


def test_staff_remove_unknown(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "remove", "Nobody"]) == 2
    assert "Nobody" in capsys.readouterr().err


def test_doctor_json_matches_exit_status(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--json"])
    checks = json.loads(capsys.readouterr().out)
    assert {c["status"] for c in checks} <= {"OK", "WARN", "FAIL"}
    assert code == (1 if any(c["status"] == "FAIL" for c in checks) else 0)
    assert {"state dir", "clock", "disk space", "backend"} <= {c["name"] for c in checks}


def test_doctor_table(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["check", "status", "detail"]
    assert any(line.startswith("state dir") and " OK " in line for line in lines)
    assert lines[-1].endswith("warnings")


def test_demo_backend_serves_until_interrupted() -> None:
    port = free_port()
    process = subprocess.Popen(
        [*KIOSK, "demo-backend", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
        preexec_fn=ctrl_c_stops,
    )
    try:
        for _ in range(200):
            try:
                response = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("the demo backend did not answer on /health")
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_symptom_questionnaire_prints_what_the_answers_point_at(
    capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.services.tasks.symptoms import QUESTIONNAIRE, symptom_questionnaire

    assert main(["symptom-questionnaire"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == symptom_questionnaire() and printed["url"] == QUESTIONNAIRE
