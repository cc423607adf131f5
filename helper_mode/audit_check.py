"""Checking the audit log: every line whole and in its chain, across the rotated files, and
nothing cut off the end or the beginning (the head file says where each ends).

Each problem names its file and line and says what kind it is: not an audit line, edited, out of
order, a line or a whole file missing before it, lines cut off the end, or a half-written last
line (a power cut in the middle of a write; reported as such, not as tampering).

What it cannot see: someone with the kiosk user's rights can rewrite every line, hash and the
head consistently. Ship the log off the kiosk where that matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helper_mode.audit_format import (
    EVENTS,
    AuditEntry,
    Head,
    HeadUnreadable,
    digest,
    head_path,
    log_files,
    parse,
    read_head,
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    """1-based; None when the problem is with the file as a whole."""
    what: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.what}" if self.line else \
            f"{self.file}: {self.what}"


@dataclass(frozen=True)
class AuditReport:
    """What verify found; true when the log is intact."""

    problems: tuple[Problem, ...]
    entries: int
    files: int
    first_time: str | None = None
    last_time: str | None = None
    notes: tuple[str, ...] = ()
    """Things that are fine but worth knowing (e.g. the head one line behind after a power
    cut)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        files = f"{self.files} file{'s' if self.files != 1 else ''}"
        if not self.ok:
            return (f"audit log NOT intact: {len(self.problems)} problem(s), "
                    f"{self.entries} entries in {files}")
        if not self.entries:
            return "audit log intact: no entries yet"
        return (f"audit log intact: {self.entries} entries in {files}, "
                f"{self.first_time} to {self.last_time}")


@dataclass(frozen=True)
class _Line:
    file: Path
    number: int
    entry: AuditEntry | None


@dataclass(frozen=True)
class _Files:
    """Every line of every file, oldest first, and what the files end with."""

    lines: list[_Line]
    counts: dict[Path, int]
    """Whole lines per file."""
    last_hashes: set[str]
    """Hash of the last line of each file but the newest: where a cut-short rotation left the
    head's ``first``."""
    torn: Problem | None


def verify(path: Path) -> AuditReport:
    """Check the log at path (audit.log), its rotated files and its head; the caller holds the
    lock, so that no write is half-way."""
    files = log_files(path)
    problems: list[Problem] = []
    head_name = head_path(path).name
    try:
        head = read_head(path)
    except HeadUnreadable as exc:
        problems.append(Problem(head_name, None, f"unreadable ({exc})"))
        head, head_damaged = None, True
    else:
        head_damaged = False
    found = _read(files)
    if found.torn is not None:
        problems.append(found.torn)
    lines = found.lines
    if not lines:
        if head is not None:
            problems.append(Problem(path.name, None, "missing: the head file says lines were "
                                    "written, but no log file holds any (removed)"))
        return AuditReport(tuple(problems), entries=0, files=len(files))
    if head is None and not head_damaged:
        problems.append(Problem(head_name, None, "missing, so lines cut off the end could not "
                                "be seen (the kiosk writes it again with the next entry)"))
    notes: list[str] = []
    end = _end(path, lines, found.counts, head, head_name, notes) if head is not None else []
    # Without a head, or with one older than the log, where the kept chain begins is unknown.
    first = head.first if head is not None and not any(p.file == head_name for p in end) \
        else None
    problems += _chain(path, lines, files, first, found.last_hashes)
    problems += end
    entries = [line.entry for line in lines if line.entry is not None]
    return AuditReport(tuple(problems), entries=len(entries), files=len(files),
                       first_time=entries[0].time if entries else None,
                       last_time=entries[-1].time if entries else None, notes=tuple(notes))


def _read(files: list[Path]) -> _Files:
    lines: list[_Line] = []
    counts: dict[Path, int] = {}
    last_hashes: set[str] = set()
    torn = None
    for file in files:
        parts = file.read_bytes().split(b"\n")
        rest = parts.pop()  # what follows the last newline: nothing, unless cut off mid-write
        counts[file] = len(parts)
        if rest and file == files[-1]:
            torn = Problem(file.name, len(parts) + 1, "half-written last line: the kiosk "
                           "stopped while writing it (a power cut?), so that event was not "
                           "recorded; the next entry removes it")
        elif rest:
            parts.append(rest)
        lines += [_Line(file, number, parse(raw) if raw else None)
                  for number, raw in enumerate(parts, 1)]
        last = lines[-1].entry if parts and file != files[-1] else None
        if last is not None:
            last_hashes.add(last.hash)
    return _Files(lines, counts, last_hashes, torn)


def _chain(path: Path, lines: list[_Line], files: list[Path], first: str | None,
           last_hashes: set[str]) -> list[Problem]:
    """Each line whole, matching its hash, and following the one before it; the oldest
    following ``first`` (when known)."""
    index = {line.entry.hash: i for i, line in enumerate(lines) if line.entry is not None}
    expected = first
    problems = []
    at_start, after_garbage = True, False
    for i, line in enumerate(lines):
        entry = line.entry
        if entry is None:
            problems.append(_at(line, "not an audit line (garbage, or a damaged line)"))
            after_garbage = True
            continue
        if entry.hash != digest(entry.time, entry.staff, entry.event, entry.prev):
            problems.append(_at(line, "edited: the line does not match its hash"))
        elif entry.event not in EVENTS:
            problems.append(_at(line, f"unknown event {entry.event!r}"))
        elif expected is not None and entry.prev != expected and not (
                # A rotation cut short by a power cut may leave the head's first at the end of
                # a file it was about to delete: that file is simply still there.
                at_start and expected in last_hashes) and not (
                # The line it follows may be the damaged one just reported.
                after_garbage and entry.prev not in index):
            problems.append(_at(line, _break(path, lines, i, index, files, at_start)))
        expected = entry.hash
        at_start, after_garbage = False, False
    return problems


def _break(path: Path, lines: list[_Line], i: int, index: dict[str, int], files: list[Path],
           first: bool) -> str:
    """Why line i does not follow the line before it."""
    line = lines[i]
    assert line.entry is not None
    j = index.get(line.entry.prev)
    if j is not None:
        where = f"{lines[j].file.name} line {lines[j].number}"
        return (f"out of order: it follows {where}, which comes after it" if j > i else
                f"out of order: it follows {where}, not the line before it")
    if first:
        return (f"the lines before it are missing: an older file "
                f"({_name_before(path, line.file)}) or the start of this file was removed")
    if line.number == 1:
        expected = _name_before(path, line.file)
        if files[files.index(line.file) - 1].name != expected:
            return f"{expected} is missing (removed): the line this one follows is in no file"
        return ("the line it follows is missing: the end of the file before it "
                f"({expected}) was cut off")
    return "the line it follows is missing: a line before it was removed, or changed"


def _name_before(path: Path, file: Path) -> str:
    """The name of the file just older than file: audit.log.(n+1)."""
    number = 0 if file == path else int(file.name[len(path.name) + 1:])
    return f"{path.name}.{number + 1}"


def _end(path: Path, lines: list[_Line], counts: dict[Path, int], head: Head,
         head_name: str, notes: list[str]) -> list[Problem]:
    """The newest line must be the one the head names (or follow it: written just before a
    power cut, the head not yet)."""
    newest = next((line for line in reversed(lines) if line.entry is not None), None)
    if newest is None or newest.entry is None:
        return []  # every line is garbage: reported line by line
    if newest.entry.hash == head.last:
        return []
    if newest.entry.prev == head.last:
        notes.append("the newest entry was written just before the kiosk stopped, the head "
                     "file not yet: the next entry brings it up to date")
        return []
    known = [line for line in lines if line.entry is not None and line.entry.hash == head.last]
    if known:
        return [Problem(head_name, None, f"older than the log: it names {known[0].file.name} "
                        f"line {known[0].number} as the newest line (replaced by an old copy?)")]
    if not path.exists():
        return [Problem(path.name, None, "missing: the newest lines are in no file (removed)")]
    count = counts[newest.file]
    if newest.file == path and count < head.lines:
        return [Problem(path.name, count + 1, f"missing: the file ends at line {count}, the "
                        f"head file says line {head.lines} was the last written (lines were cut "
                        "off the end)")]
    return [Problem(newest.file.name, newest.number, "not the last line written, which the "
                    "head file names: lines were cut off the end, or this line was replaced")]


def _at(line: _Line, what: str) -> Problem:
    return Problem(line.file.name, line.number, what)
