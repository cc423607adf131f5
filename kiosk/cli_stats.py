"""`kiosk stats [--since DAY]`: the visit counts for digital-inclusion figures, per day, task,
language and whether a staff member helped, with totals per task, language and help.

Operator output, in English. A visit that began two tasks is counted under each.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.cli_args import SettingsFor, day
from kiosk.config import Settings
from kiosk.stats import FILE_NAME, Count, StatsError, read_counts

EXAMPLES = """examples:
  kiosk stats                             every day counted
  kiosk stats --since 2026-12-01          from that day on
  kiosk stats --config /etc/helselos/kiosk.toml

exit status: 0, or 2 when the counts cannot be read
"""



def add_commands(commands: Any, add_config: Callable[[argparse.ArgumentParser], None],
                 settings_for: SettingsFor) -> None:
    stats = commands.add_parser(
        "stats", help="print the visit counts (per day, task, language, helped or not)",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Print how many visits there were per day, task, language and whether a "
        "staff member helped (helper mode was unlocked during the visit), then the totals. "
        "Only counts are kept: no time finer than a day, nothing about a person. Practice "
        "visits are not counted.",
    )
    add_config(stats)
    stats.add_argument("--since", type=day, metavar="YYYY-MM-DD",
                       help="only days from this one on")
    stats.set_defaults(func=lambda args: cmd_stats(settings_for(args), args.since))


def cmd_stats(settings: Settings, since: date | None) -> int:
    path = settings.state_dir / FILE_NAME
    try:
        counts = [c for c in read_counts(path)
                  if since is None or date.fromisoformat(c.day) >= since]
    except (OSError, StatsError) as exc:
        print(f"kiosk: cannot read the visit counts {path}: {exc}", file=sys.stderr)
        return 2
    if not counts:
        print(f"no visits counted{f' since {since}' if since else ''} in {path.parent}")
        return 0
    task_width = max(4, *(len(c.task) for c in counts))
    print(f"{'day':<10}  {'task':<{task_width}}  language  helped  visits")
    for c in counts:
        print(f"{c.day:<10}  {c.task:<{task_width}}  {c.language:<8}  "
              f"{'yes' if c.assisted else 'no':<6}  {c.visits:>6}")
    for title, key in (("per task", lambda c: c.task), ("per language", lambda c: c.language),
                       ("helped", lambda c: "yes" if c.assisted else "no")):
        print(f"\n{title}:")
        for name, total in sorted(_totals(counts, key).items()):
            print(f"  {name:<{task_width}}  {total:>6}")
    return 0


def _totals(counts: list[Count], key: Callable[[Count], str]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for c in counts:
        totals[key(c)] += c.visits
    return totals
