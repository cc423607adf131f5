"""Visit counts for the municipality's digital-inclusion figures: per day, task, language and
whether a staff member helped (helper mode was unlocked during the visit).

Counts only: a visit adds one to the count of each task it began (or of "none"), on its local
day, and nothing else is kept: no time finer than a day, no order of visits, no staff name,
nothing about a person. Practice visits are not counted. The file (``stats.json`` in the state
directory, readable by the kiosk user only) is rewritten atomically, so a power cut leaves the old
counts or the new ones. ``kiosk stats`` prints them.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import msgspec

log = logging.getLogger(__name__)

FILE_NAME = "stats.json"
NO_TASK = "none"
"""The task of a visit that began none (it ended on the menu)."""
_TASK = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class StatsError(ValueError):
    """The stats file is not one the kiosk wrote."""


class Count(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How many visits of one day, task, language and kind (helped or not)."""

    day: str
    task: str
    language: str
    assisted: bool
    visits: int

    @property
    def key(self) -> tuple[str, str, str, bool]:
        return (self.day, self.task, self.language, self.assisted)


class StatsFile(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    counts: list[Count]


VERSION = 1


def _check(count: Count) -> Count:
    try:
        date.fromisoformat(count.day)
    except ValueError:
        raise StatsError(f"not a day: {count.day!r}") from None
    if len(count.day) != 10:
        raise StatsError(f"not a day: {count.day!r}")
    if not _TASK.match(count.task):
        raise StatsError(f"not a task id: {count.task!r}")
    if not _LANGUAGE.match(count.language):
        raise StatsError(f"not a language code: {count.language!r}")
    if count.visits < 1:
        raise StatsError(f"not a count: {count.visits!r}")
    return count


def read_counts(path: Path) -> list[Count]:
    """The counts in the file, oldest day first; none when there is no file yet. Raises
    StatsError for a file the kiosk did not write, OSError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        data = msgspec.json.decode(raw, type=StatsFile)
    except msgspec.ValidationError as exc:
        raise StatsError(str(exc)) from None
    except msgspec.DecodeError:
        raise StatsError("not JSON") from None
    if data.version != VERSION:
        raise StatsError(f"unknown version {data.version}")
    return sorted((_check(c) for c in data.counts), key=lambda c: c.key)


def _write(path: Path, counts: Iterable[Count]) -> None:
    """Replace the file at once: write a private temporary file beside it, flush it to disk,
    rename it over the old one."""
    data = msgspec.json.encode(StatsFile(version=VERSION, counts=sorted(counts,
                                                                        key=lambda c: c.key)))
    fd, tmp = tempfile.mkstemp(prefix=".stats-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_visit(path: Path, day: date, tasks: Iterable[str], language: str,
              assisted: bool) -> None:
    """Count one visit: one more for each task it began (``NO_TASK`` when none)."""
    begun = sorted(set(tasks)) or [NO_TASK]
    new = [_check(Count(day.isoformat(), task, language, assisted, 1)) for task in begun]
    try:
        counts = {c.key: c for c in read_counts(path)}
    except StatsError as exc:
        # A damaged file must not stop the kiosk: it is kept aside for the operator, and
        # counting starts again.
        log.error("stats: %s is damaged (%s); kept as %s.damaged", path.name, exc, path.name)
        path.replace(path.with_name(path.name + ".damaged"))
        counts = {}
    for count in new:
        old = counts.get(count.key)
        counts[count.key] = msgspec.structs.replace(
            count, visits=count.visits + (old.visits if old is not None else 0))
    _write(path, counts.values())


@dataclass
class VisitTally:
    """What one visit adds to the counts, gathered while it lasts: which tasks it began and
    whether a staff member helped. No times, no answers, no staff name."""

    tasks: set[str] = field(default_factory=set)
    assisted: bool = False

    def task(self, guide_id: str) -> None:
        self.tasks.add(guide_id)

    def helped(self, staff_on: bool) -> None:
        self.assisted = self.assisted or staff_on


def count_visit(state_dir: Path, ended: datetime, tally: VisitTally, language: str) -> None:
    """Add a visit that ended at ``ended`` (its local day is all that is kept). A count that
    cannot be written is lost, logged without anything of the visit: the visit's end (the wipe)
    must go on."""
    try:
        add_visit(state_dir / FILE_NAME, ended.astimezone().date(), tally.tasks, language,
                  tally.assisted)
    except (OSError, StatsError) as exc:
        log.error("stats: the visit could not be counted (%s)", type(exc).__name__)
