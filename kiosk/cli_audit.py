"""The operator's audit commands: `kiosk audit verify` (is the log whole: every line unchanged,
in order, nothing removed or cut off) and `kiosk audit show [--since DAY]` (who did what, when).

Operator output, in English; the log itself is in the state directory (audit.log, its rotated
files audit.log.1 …, and audit.head).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from helper_mode.audit import EVENTS, AuditEntry, AuditLog
from kiosk.cli_args import SettingsFor, day
from kiosk.clock import SystemClock
from kiosk.config import Settings

VERIFY_EXAMPLES = """examples:
  kiosk audit verify                      one line and exit 0 when the log is intact
  kiosk audit verify --config /etc/helselos/kiosk.toml
  kiosk audit verify || echo "audit log damaged on $(hostname)" | mail -s audit it@example.org

exit status: 0 intact, 1 damaged (each problem printed as FILE line N: what), 2 unreadable
"""
SHOW_EXAMPLES = """examples:
  kiosk audit show                        every entry kept, oldest first
  kiosk audit show --since 2026-12-01     from that day on

events:
""" + "".join(f"  {name:<19} {meaning}\n" for name, meaning in EVENTS.items())



def add_commands(commands: Any, add_config: Callable[[argparse.ArgumentParser], None],
                 settings_for: SettingsFor) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    audit = commands.add_parser(
        "audit", help="check and read the audit log", formatter_class=raw,
        epilog=VERIFY_EXAMPLES,
        description="The audit log records who did what at the kiosk, and when: helper mode "
        "unlocked and locked, wrong PINs, staff accounts, calls for staff, visits begun and "
        "ended, proxies and consents given or withdrawn. It names the staff member, or "
        "\"citizen\"; never a citizen, an id or anything about their health. Each line is "
        "chained to the one before by a hash, across rotated files.",
    )
    audit_commands = audit.add_subparsers(title="commands", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check that no line was changed, removed, reordered or cut off",
        formatter_class=raw, epilog=VERIFY_EXAMPLES,
        description="Check every line of the audit log and its rotated files against the hash "
        "chain, and the newest line against the head file (which shows lines cut off the "
        "end). Prints each problem with its file and line and exits 1, or one summary line "
        "and exits 0. A line half-written when the power went is reported as such.",
    )
    add_config(verify)
    verify.set_defaults(func=lambda args: cmd_verify(settings_for(args)))
    show = audit_commands.add_parser(
        "show", help="print the entries as a table", formatter_class=raw, epilog=SHOW_EXAMPLES,
        description="Print the audit log's entries, oldest first: time (in this machine's "
        "time zone), who (a staff name, \"citizen\", or - when nobody is known), event and "
        "what it means. Damaged lines are left out: run kiosk audit verify.",
    )
    add_config(show)
    show.add_argument("--since", type=day, metavar="YYYY-MM-DD",
                      help="only entries from this day on (local time)")
    show.set_defaults(func=lambda args: cmd_show(settings_for(args), args.since))


def cmd_verify(settings: Settings) -> int:
    try:
        report = AuditLog(settings.audit_file, SystemClock()).verify()
    except OSError as exc:
        return _unreadable(settings, exc)
    for problem in report.problems:
        print(problem)
    for note in report.notes:
        print(f"note: {note}")
    print(f"{report.summary()} (in {settings.audit_file.parent})")
    return 0 if report.ok else 1


def cmd_show(settings: Settings, since: date | None) -> int:
    log = AuditLog(settings.audit_file, SystemClock())
    try:
        entries = log.entries()
        intact = log.verify().ok
    except OSError as exc:
        return _unreadable(settings, exc)
    rows = [(when, entry) for entry in entries if (when := _local(entry)) is not None
            and (since is None or when.date() >= since)]
    if not rows:
        print(f"no entries{f' since {since}' if since else ''} in {settings.audit_file.parent}")
    else:
        width = max(3, *(len(_who(entry)) for _when, entry in rows))
        print(f"{'time':<19}  {'who':<{width}}  {'event':<17} what")
        for when, entry in rows:
            print(f"{when:%Y-%m-%d %H:%M:%S}  {_who(entry):<{width}}  {entry.event:<17} "
                  f"{EVENTS.get(entry.event, '')}")
        print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
    if not intact:
        print("kiosk: the audit log is damaged; see kiosk audit verify", file=sys.stderr)
    return 0


def _local(entry: AuditEntry) -> datetime | None:
    try:
        return datetime.fromisoformat(entry.time).astimezone()
    except ValueError:
        return None  # not a time the kiosk writes: left out like any damaged line


def _who(entry: AuditEntry) -> str:
    return entry.staff or "-"


def _unreadable(settings: Settings, exc: OSError) -> int:
    print(f"kiosk: cannot read the audit log in {settings.audit_file.parent}: "
          f"{exc.strerror or exc}", file=sys.stderr)
    return 2
