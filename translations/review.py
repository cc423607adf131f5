"""A catalog's review status, recorded in its PO header and read when the languages are loaded.

Every catalog says whether a fluent speaker has checked it::

    "X-Review-Status: drafted\\n"

or, once a fluent speaker has read every entry, with who and when::

    "X-Review-Status: reviewed\\n"
    "X-Reviewed-By: Aslak Somby <aslak@example.no>\\n"
    "X-Review-Date: 2027-01-15\\n"

A drafted catalog shows a notice on screen ("not yet checked by a native speaker"). Nothing but
a person's review may turn a catalog to ``reviewed``: a drafted catalog names no reviewer, a
reviewed one must name one and a date, and the first line may no longer call it a draft.

Only the header is read here (a few lines, not the whole catalog): this runs at every start.
Babel drops header fields it does not know, so it cannot read these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kiosk.datafile import DataFileError

STATUS = "X-Review-Status"
REVIEWER = "X-Reviewed-By"
DATE = "X-Review-Date"
DRAFTED, REVIEWED = "drafted", "reviewed"


@dataclass(frozen=True)
class Review:
    """Who has checked a catalog: nobody yet (drafted) or a named fluent speaker on a day."""

    status: str = DRAFTED
    reviewer: str | None = None
    date: dt.date | None = None

    @property
    def drafted(self) -> bool:
        return self.status == DRAFTED

    def describe(self) -> str:
        """For operators: "drafted" or "reviewed by Aslak Somby on 2027-01-15"."""
        if self.drafted:
            return DRAFTED
        return f"{REVIEWED} by {self.reviewer} on {self.date}"


UNREVIEWED = Review(DRAFTED)
"""Every catalog until a fluent speaker has checked it."""


class ReviewError(DataFileError):
    """A catalog's review fields are missing or wrong; str() reads "path:line: field 'x': …"."""


def _unquote(line: str) -> str:
    # PO strings hold only these escapes in a header (gettext's own header writer).
    return line.strip()[1:-1].replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")


def header_fields(path: Path) -> tuple[dict[str, tuple[str, int]], str]:
    """The header's fields (name -> (value, line)) and the file's first line."""
    fields: dict[str, tuple[str, int]] = {}
    first = ""
    in_header = False
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                first = line.rstrip("\n")
            stripped = line.strip()
            if not in_header:
                # The header is the first entry's msgstr (its msgid is empty).
                if stripped.startswith("msgstr"):
                    if stripped != 'msgstr ""':
                        break
                    in_header = True
                continue
            if not stripped.startswith('"'):
                break
            for entry in _unquote(stripped).splitlines():
                name, colon, value = entry.partition(":")
                if colon:
                    fields[name.strip()] = (value.strip(), number)
    return fields, first


def read_review(path: Path) -> Review:
    """The review status in path's header, or ReviewError naming the line to fix."""
    fields, first = header_fields(path)
    header_line = min((line for _, line in fields.values()), default=1)
    if STATUS not in fields:
        raise ReviewError(path, header_line, STATUS,
                          f"missing: add \"{STATUS}: {DRAFTED}\\n\" to the header")
    status, line = fields[STATUS]
    reviewer = fields.get(REVIEWER)
    day = fields.get(DATE)
    if status == DRAFTED:
        for name, given in ((REVIEWER, reviewer), (DATE, day)):
            if given is not None:
                raise ReviewError(path, given[1], name,
                                  "a drafted catalog names no reviewer or review date")
        return Review(DRAFTED)
    if status != REVIEWED:
        raise ReviewError(path, line, STATUS,
                          f"must be {DRAFTED!r} or {REVIEWED!r}, not {status!r}")
    if reviewer is None or not reviewer[0]:
        raise ReviewError(path, reviewer[1] if reviewer else line, REVIEWER,
                          "a reviewed catalog names its fluent reviewer")
    if day is None:
        raise ReviewError(path, line, DATE, "a reviewed catalog gives the review date, YYYY-MM-DD")
    try:
        when = dt.date.fromisoformat(day[0])
    except ValueError:
        raise ReviewError(path, day[1], DATE,
                          f"must be a date YYYY-MM-DD, not {day[0]!r}") from None
    if first.startswith("# Draft"):
        raise ReviewError(path, 1, None, "a reviewed catalog's first line still calls it a draft")
    return Review(REVIEWED, reviewer[0], when)
