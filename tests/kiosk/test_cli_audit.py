"""`kiosk audit verify` and `kiosk audit show` as the operator runs them: a real process on a
log written by the real AuditLog (and by `kiosk staff`), its exit status and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helper_mode.audit import AuditLog
from kiosk.cli import main
from kiosk.clock import ManualClock

KIOSK = [sys.executable, "-m", "kiosk"]


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


def kiosk(state_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # A time zone one hour east of UTC, written so that it needs no time zone database.
    env = {**os.environ, "HELSELOS_STATE_DIR": str(state_dir), "TZ": "CET-1"}
    return subprocess.run([*KIOSK, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


def write_log(state_dir: Path, **rotation: int) -> AuditLog:
    """Two days at the kiosk: a helped visit with a consent on 1 December, a visit on the 2nd."""
    clock = ManualClock(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    log = AuditLog(state_dir / "audit.log", clock, **rotation)
    log.citizen_event("visit_start")
    clock.advance(30)
    log.append("", "unlock_failed")
    log.append("Kari Nordmann", "helper_on")
    clock.advance(60)
    log.citizen_event("consent_given")
    log.append("Kari Nordmann", "helper_off")
    log.citizen_event("visit_end")
    clock.advance(24 * 3600)
    log.citizen_event("visit_start")
    log.citizen_event("visit_end")
    return log


@pytest.mark.parametrize("command", [["audit"], ["audit", "verify"], ["audit", "show"]])
def test_audit_commands_have_help_with_examples(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kiosk {' '.join(command)}")
    assert "examples:" in out and "kiosk audit verify" in out


def test_show_help_lists_every_event(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "show", "--help"])
    out = capsys.readouterr().out
    for event in ("helper_on", "unlock_failed", "visit_start", "visit_end", "help_called",
                  "help_cancelled", "proxy_registered", "proxy_withdrawn", "consent_given",
                  "consent_withdrawn"):
        assert f"  {event} " in out


def test_verify_passes_on_a_log_written_by_kiosk_staff(state_dir: Path) -> None:
    assert kiosk(state_dir, "staff", "add", "Ola", "--pin-stdin", stdin="482193\n").returncode == 0
    assert kiosk(state_dir, "staff", "remove", "Ola").returncode == 0
    result = kiosk(state_dir, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("audit log intact: 2 entries in 1 file, ")
    assert result.stdout.endswith(f" (in {state_dir})\n")
    assert len(result.stdout.splitlines()) == 1


def test_verify_passes_across_rotated_files(state_dir: Path) -> None:
    write_log(state_dir, max_bytes=700, keep=5)
    assert (state_dir / "audit.log.2").exists()
    result = kiosk(state_dir, "audit", "verify")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ("audit log intact: 8 entries in 3 files, 2026-12-01T08:30:00Z to "
                             f"2026-12-02T08:31:30Z (in {state_dir})\n")


def test_verify_fails_and_says_where_on_an_edited_line(state_dir: Path) -> None:
    write_log(state_dir)
    path = state_dir / "audit.log"
    path.write_text(path.read_text().replace("Kari Nordmann", "Ola Nordmann", 1))
    result = kiosk(state_dir, "audit", "verify")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "audit.log line 3: edited: the line does not match its hash",
        f"audit log NOT intact: 1 problem(s), 8 entries in 1 file (in {state_dir})"]


def test_verify_fails_on_lines_cut_off_the_end(state_dir: Path) -> None:
    write_log(state_dir)
    path = state_dir / "audit.log"
    path.write_text("".join(line + "\n" for line in path.read_text().splitlines()[:-2]))
    result = kiosk(state_dir, "audit", "verify")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "audit.log line 7: missing: the file ends at line 6, the head file says line 8 was the "
        "last written (lines were cut off the end)")


def test_show_prints_a_table_in_local_time(state_dir: Path) -> None:
    write_log(state_dir)
    result = kiosk(state_dir, "audit", "show")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["time", "who", "event", "what"]
    assert lines[1].split()[:4] == ["2026-12-01", "09:30:00", "citizen", "visit_start"]
    assert lines[2].split()[:3] == ["2026-12-01", "09:30:30", "-"]
    assert lines[3].startswith("2026-12-01 09:30:30  Kari Nordmann  helper_on ")
    assert lines[3].endswith("helper mode unlocked")
    assert "the citizen gave a consent" in lines[4]
    assert lines[-1] == "8 entries"


def test_show_since_a_day(state_dir: Path) -> None:
    write_log(state_dir)
    result = kiosk(state_dir, "audit", "show", "--since", "2026-12-02")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[3] for line in lines[1:-1]] == ["visit_start", "visit_end"]
    assert lines[-1] == "2 entries"
    assert kiosk(state_dir, "audit", "show", "--since", "2026-12-03").stdout == (
        f"no entries since 2026-12-03 in {state_dir}\n")


def test_show_warns_when_the_log_is_damaged(state_dir: Path) -> None:
    write_log(state_dir)
    with (state_dir / "audit.log").open("a") as handle:
        handle.write("garbage\n")
    result = kiosk(state_dir, "audit", "show")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "8 entries"
    assert result.stderr == "kiosk: the audit log is damaged; see kiosk audit verify\n"


def test_show_refuses_a_bad_day(state_dir: Path) -> None:
    result = kiosk(state_dir, "audit", "show", "--since", "1 December")
    assert result.returncode == 2
    assert "not a day: '1 December' (use YYYY-MM-DD" in result.stderr


def test_no_log_yet(state_dir: Path) -> None:
    result = kiosk(state_dir, "audit", "verify")
    assert (result.returncode, result.stdout) == (
        0, f"audit log intact: no entries yet (in {state_dir})\n")
    assert not state_dir.exists(), "checking must not create the state directory"
