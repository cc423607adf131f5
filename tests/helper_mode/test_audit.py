"""The audit log on real files, written through the real AuditLog: exact line shape, rotation
that keeps the chain, power cuts that verify names as such, and tampering of every kind detected
and located (file and line)."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from helper_mode.audit import CITIZEN, GENESIS, AuditLog, AuditReport
from kiosk.clock import ManualClock

LINE_BYTES = 230
"""About the size of one line; three fit in a rotated file of ROTATE_BYTES."""
ROTATE_BYTES = 3 * LINE_BYTES


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def log(tmp_path: Path, clock: ManualClock) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.log", clock)
    audit.append("Kari", "helper_on")
    clock.advance(60)
    audit.append("Kari", "helper_off")
    clock.advance(60)
    audit.append("", "unlock_failed")
    clock.advance(60)
    audit.append("Ola", "staff_added")
    return audit


@pytest.fixture
def rotated(tmp_path: Path, clock: ManualClock) -> AuditLog:
    """Fifteen events: audit.log and audit.log.1-3 of three lines each are kept, the oldest
    three lines were rotated away."""
    audit = AuditLog(tmp_path / "audit.log", clock, max_bytes=ROTATE_BYTES, keep=3)
    for _ in range(5):
        audit.citizen_event("visit_start")
        clock.advance(60)
        audit.append("Kari", "helper_on")
        clock.advance(60)
        audit.citizen_event("visit_end")
        clock.advance(60)
    return audit


def _file(log: AuditLog, suffix: str = "") -> Path:
    return log.path.with_name(log.path.name + suffix)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _problems(report: AuditReport) -> list[str]:
    assert not report.ok and not report
    return [str(problem) for problem in report.problems]


def test_lines_have_exactly_the_five_keys(log: AuditLog) -> None:
    lines = _lines(log.path)
    assert len(lines) == 4
    for line in lines:
        assert set(json.loads(line)) == {"time", "staff", "event", "prev", "hash"}
    first = json.loads(lines[0])
    assert first["time"] == "2026-12-01T09:00:00Z"
    assert (first["staff"], first["event"], first["prev"]) == ("Kari", "helper_on", GENESIS)
    assert json.loads(lines[1])["prev"] == first["hash"]
    assert json.loads(lines[1])["time"] == "2026-12-01T09:01:00Z"
    for path in (log.path, log.path.with_suffix(".head"), log.path.with_suffix(".lock")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_head_names_the_last_line(log: AuditLog) -> None:
    head = json.loads(log.path.with_suffix(".head").read_text())
    assert head == {"first": GENESIS, "last": json.loads(_lines(log.path)[-1])["hash"],
                    "lines": 4}


def test_entries_and_verify(log: AuditLog) -> None:
    assert [(e.staff, e.event) for e in log.entries()] == [
        ("Kari", "helper_on"),
        ("Kari", "helper_off"),
        ("", "unlock_failed"),
        ("Ola", "staff_added"),
    ]
    report = log.verify()
    assert report.ok and report.problems == () and report.entries == 4
    assert report.summary() == ("audit log intact: 4 entries in 1 file, "
                                "2026-12-01T09:00:00Z to 2026-12-01T09:03:00Z")


def test_a_new_log_object_continues_the_chain(log: AuditLog) -> None:
    again = AuditLog(log.path, ManualClock())
    entry = again.append("Ola", "staff_removed")
    assert entry.prev == log.entries()[-2].hash
    assert again.verify()


def test_empty_or_absent_log_verifies(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "none.log", ManualClock())
    assert audit.entries() == []
    report = audit.verify()
    assert report.ok and report.summary() == "audit log intact: no entries yet"
    assert not (tmp_path / "none.lock").exists(), "checking must not create files"


def test_citizen_events_name_only_the_citizen(log: AuditLog) -> None:
    log.citizen_event("visit_start")
    log.citizen_event("consent_given")
    assert [(e.staff, e.event) for e in log.entries()[-2:]] == [
        (CITIZEN, "visit_start"), (CITIZEN, "consent_given")]
    with pytest.raises(ValueError, match="citizen's event"):
        log.append("Kari", "proxy_registered")
    assert log.verify()


def test_a_citizen_event_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("")
    audit = AuditLog(tmp_path / "file" / "audit.log", ManualClock())  # its folder is a file
    audit.citizen_event("visit_end")
    assert "audit log: cannot record visit_end" in caplog.text


# -- rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_the_chain_across_files(rotated: AuditLog) -> None:
    files = sorted(p.name for p in rotated.path.parent.glob("audit.log*"))
    assert files == ["audit.log", "audit.log.1", "audit.log.2", "audit.log.3"]
    for suffix in ("", ".1", ".2", ".3"):
        assert len(_lines(_file(rotated, suffix))) == 3
    newest_of_1 = json.loads(_lines(_file(rotated, ".1"))[-1])
    assert json.loads(_lines(rotated.path)[0])["prev"] == newest_of_1["hash"]
    # The oldest three lines were deleted; the head keeps where the kept chain begins.
    oldest = json.loads(_lines(_file(rotated, ".3"))[0])
    assert oldest["prev"] != GENESIS
    assert json.loads(rotated.path.with_suffix(".head").read_text())["first"] == oldest["prev"]
    report = rotated.verify()
    assert report.ok, report.problems
    assert report.entries == 12 and report.files == 4
    assert [e.event for e in rotated.entries()][:3] == ["visit_start", "helper_on", "visit_end"]


def test_appends_from_many_threads_keep_one_chain(tmp_path: Path, clock: ManualClock) -> None:
    audit = AuditLog(tmp_path / "audit.log", clock, max_bytes=ROTATE_BYTES * 2, keep=50)

    def write() -> None:
        for _ in range(20):
            audit.citizen_event("help_called")

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert audit.verify().ok
    assert len(audit.entries()) == 80


# -- power cuts: reported as what they are, and mended by the next write --------------------


def test_a_half_written_last_line_is_reported_as_such_and_cut_by_the_next_write(
    log: AuditLog,
) -> None:
    whole = log.path.read_bytes()
    with log.path.open("ab") as handle:
        handle.write(b'{"time": "2026-12-01T09:04:00Z", "sta')
    assert _problems(log.verify()) == [
        "audit.log line 5: half-written last line: the kiosk stopped while writing it (a power "
        "cut?), so that event was not recorded; the next entry removes it"]
    log.append("Kari", "helper_on")
    assert log.path.read_bytes().startswith(whole)
    assert len(_lines(log.path)) == 5
    assert log.verify().ok


def test_a_line_written_before_its_head_is_accepted_and_caught_up(log: AuditLog) -> None:
    head = log.path.with_suffix(".head")
    before = head.read_bytes()
    log.append("Kari", "helper_on")
    head.write_bytes(before)  # the power went between the line and the head
    report = log.verify()
    assert report.ok, report.problems
    assert "head file not yet" in report.notes[0]
    log.append("Kari", "helper_off")
    assert log.verify().ok and log.verify().notes == ()
    assert [e.event for e in log.entries()][-2:] == ["helper_on", "helper_off"]


def test_a_rotation_cut_short_is_not_taken_for_tampering(
    rotated: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def power_cut(self: Path, missing_ok: bool = False) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(Path, "unlink", power_cut)
    with pytest.raises(OSError, match="power cut"):
        for _ in range(3):  # until audit.log is full and rotates
            rotated.append("Kari", "helper_off")
    monkeypatch.undo()
    # The head already names where the chain will begin once audit.log.3 is gone.
    assert _file(rotated, ".3").exists()
    assert rotated.verify().ok, rotated.verify().problems
    rotated.append("Kari", "helper_off")
    assert rotated.verify().ok, rotated.verify().problems
    assert not _file(rotated, ".4").exists()


def test_a_rotation_cut_short_between_renames_loses_no_file(
    rotated: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    rename = Path.rename
    calls: list[Path] = []

    def power_cut_on_the_second(self: Path, target: Path) -> Path:
        calls.append(self)
        if len(calls) == 2:
            raise OSError("power cut")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", power_cut_on_the_second)
    with pytest.raises(OSError, match="power cut"):
        for _ in range(3):
            rotated.append("Kari", "helper_off")
    monkeypatch.undo()
    names = sorted(p.name for p in rotated.path.parent.glob("audit.log*"))
    assert names == ["audit.log", "audit.log.1", "audit.log.3"]  # .2 was on its way to .3
    assert rotated.verify().ok, rotated.verify().problems
    entries = len(rotated.entries())
    rotated.append("Kari", "helper_off")
    assert sorted(p.name for p in rotated.path.parent.glob("audit.log*")) == [
        "audit.log", "audit.log.1", "audit.log.2", "audit.log.3"]
    assert len(rotated.entries()) == entries + 1
    assert rotated.verify().ok, rotated.verify().problems


def test_a_log_from_before_heads_gets_one_with_its_next_entry(log: AuditLog) -> None:
    log.path.with_suffix(".head").unlink()
    assert _problems(log.verify()) == [
        "audit.head: missing, so lines cut off the end could not be seen (the kiosk writes it "
        "again with the next entry)"]
    log.append("Kari", "helper_on")
    assert log.verify().ok


# -- tampering: every kind detected, and where --------------------------------------------


def edit_a_field(log: AuditLog) -> None:
    path = _file(log, ".2")
    lines = _lines(path)
    entry = json.loads(lines[1])
    entry["staff"] = "Ola"
    lines[1] = json.dumps(entry)
    _write(path, lines)


def remove_a_line(log: AuditLog) -> None:
    lines = _lines(_file(log, ".2"))
    del lines[1]
    _write(_file(log, ".2"), lines)


def remove_the_first_line(log: AuditLog) -> None:
    _write(_file(log, ".3"), _lines(_file(log, ".3"))[1:])


def reorder_two_lines(log: AuditLog) -> None:
    lines = _lines(_file(log, ".1"))
    lines[0], lines[1] = lines[1], lines[0]
    _write(_file(log, ".1"), lines)


def cut_off_the_end(log: AuditLog) -> None:
    _write(log.path, _lines(log.path)[:1])


def cut_off_the_end_of_a_rotated_file(log: AuditLog) -> None:
    _write(_file(log, ".2"), _lines(_file(log, ".2"))[:2])


def remove_the_newest_file(log: AuditLog) -> None:
    log.path.unlink()


def remove_a_rotated_file(log: AuditLog) -> None:
    _file(log, ".2").unlink()


def remove_the_oldest_file(log: AuditLog) -> None:
    _file(log, ".3").unlink()


def add_a_garbage_line(log: AuditLog) -> None:
    lines = _lines(_file(log, ".1"))
    lines.insert(1, "garbage")
    _write(_file(log, ".1"), lines)


def replace_a_line_with_a_forged_one(log: AuditLog) -> None:
    other = AuditLog(log.path.with_name("other.log"), ManualClock())
    forged = other.append("Ola", "helper_on")  # a valid line, but chained to nothing here
    lines = _lines(_file(log, ".1"))
    lines[1] = json.dumps(forged.__dict__)
    _write(_file(log, ".1"), lines)


def add_a_key(log: AuditLog) -> None:
    lines = _lines(log.path)
    entry = json.loads(lines[0])
    entry["note"] = "anything"
    lines[0] = json.dumps(entry)
    _write(log.path, lines)


def put_back_an_old_head(log: AuditLog) -> None:
    head = log.path.with_suffix(".head")
    old = head.read_bytes()
    log.append("Kari", "helper_on")
    log.append("Kari", "helper_off")
    head.write_bytes(old)


def remove_the_head(log: AuditLog) -> None:
    log.path.with_suffix(".head").unlink()


TAMPERING: list[tuple[Callable[[AuditLog], None], list[str]]] = [
    (edit_a_field, ["audit.log.2 line 2: edited: the line does not match its hash"]),
    (remove_a_line, ["audit.log.2 line 2: the line it follows is missing: a line before it "
                     "was removed, or changed"]),
    (remove_the_first_line, ["audit.log.3 line 1: the lines before it are missing: an older "
                             "file (audit.log.4) or the start of this file was removed"]),
    (reorder_two_lines, ["audit.log.1 line 1: out of order: it follows audit.log.1 line 2, "
                         "which comes after it",
                         "audit.log.1 line 2: out of order: it follows audit.log.2 line 3, not "
                         "the line before it",
                         "audit.log.1 line 3: out of order: it follows audit.log.1 line 1, not "
                         "the line before it"]),
    (cut_off_the_end, ["audit.log line 2: missing: the file ends at line 1, the head file says "
                       "line 3 was the last written (lines were cut off the end)"]),
    (cut_off_the_end_of_a_rotated_file, [
        "audit.log.1 line 1: the line it follows is missing: the end of the file before it "
        "(audit.log.2) was cut off"]),
    (remove_the_newest_file, ["audit.log: missing: the newest lines are in no file (removed)"]),
    (remove_a_rotated_file, ["audit.log.1 line 1: audit.log.2 is missing (removed): the line "
                             "this one follows is in no file"]),
    (remove_the_oldest_file, ["audit.log.2 line 1: the lines before it are missing: an older "
                              "file (audit.log.3) or the start of this file was removed"]),
    (add_a_garbage_line, ["audit.log.1 line 2: not an audit line (garbage, or a damaged line)"]),
    (replace_a_line_with_a_forged_one, [
        "audit.log.1 line 2: the line it follows is missing: a line before it was removed, or "
        "changed",
        "audit.log.1 line 3: the line it follows is missing: a line before it was removed, or "
        "changed"]),
    (add_a_key, ["audit.log line 1: not an audit line (garbage, or a damaged line)"]),
    (put_back_an_old_head, ["audit.head: older than the log: it names audit.log.1 line 3 as "
                            "the newest line (replaced by an old copy?)"]),
    (remove_the_head, ["audit.head: missing, so lines cut off the end could not be seen (the "
                       "kiosk writes it again with the next entry)"]),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERING,
                         ids=[tamper.__name__ for tamper, _expected in TAMPERING])
def test_tampering_is_detected_and_located(
    rotated: AuditLog, tamper: Callable[[AuditLog], None], expected: list[str]
) -> None:
    assert rotated.verify().ok
    tamper(rotated)
    assert _problems(rotated.verify()) == expected


def test_damage_stays_visible_after_more_entries(rotated: AuditLog) -> None:
    """The writer chains to what the head names, so new lines do not paper over a cut."""
    cut_off_the_end(rotated)
    rotated.append("Kari", "helper_on")
    assert _problems(rotated.verify()) == [
        "audit.log line 2: the line it follows is missing: a line before it was removed, or "
        "changed"]


def test_garbage_line_detected_and_logging_goes_on(log: AuditLog) -> None:
    with log.path.open("a") as handle:
        handle.write("garbage\n")
    assert _problems(log.verify()) == [
        "audit.log line 5: not an audit line (garbage, or a damaged line)"]
    log.append("Kari", "helper_on")
    assert len(log.entries()) == 5
    assert _problems(log.verify()) == [
        "audit.log line 5: not an audit line (garbage, or a damaged line)"]


def test_unknown_event_refused(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="unknown audit event 'citizen_name'"):
        log.append("Kari", "citizen_name")
    assert len(_lines(log.path)) == 4


def test_staff_must_look_like_a_name(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="staff name"):
        log.append("Kari\nforged line", "helper_on")
    with pytest.raises(ValueError, match="staff name"):
        log.append("x" * 41, "helper_on")
