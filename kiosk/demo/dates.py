"""FHIR dates and times as ranges: "2026-12" covers the whole month, a Period its span.

Search compares these ranges with the R4 prefixes (eq, ne, gt, lt, ge, le, sa, eb).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.demo.problem import Problem
from translations.catalog import KIOSK_TZ

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_WHEN = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})(T(?P<H>\d{2}):(?P<M>\d{2})"
    r"(:(?P<S>\d{2})(?P<f>\.\d+)?)?(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_STEP = {"d": timedelta(days=1), "M": timedelta(minutes=1), "S": timedelta(seconds=1),
         "f": timedelta(microseconds=1)}
"""The span of a precision finer than a month (a year and a month vary in length)."""
_EARLIEST, _LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
Range = tuple[datetime, datetime]


def parse_when(text: str) -> Range:
    """The time range a FHIR date, dateTime or instant covers, at its precision."""
    match = _WHEN.match(text.strip().replace(" ", "+"))
    if not match:
        raise ValueError(f"not a FHIR date or time: {text!r}")
    g = match.groupdict()
    # Times without a zone are local time where the practice office is.
    zone = KIOSK_TZ if not g["tz"] else datetime.fromisoformat(f"2000-01-01T00:00{g['tz']}").tzinfo
    low = datetime(int(g["y"]), int(g["m"] or 1), int(g["d"] or 1), int(g["H"] or 0),
                   int(g["M"] or 0), int(g["S"] or 0),
                   int(((g["f"] or ".0")[1:] + "000000")[:6]), tzinfo=zone)
    finest = next(k for k in ("f", "S", "M", "d", "m", "y") if g[k])
    if finest == "y":
        high = low.replace(year=low.year + 1)
    elif finest == "m":
        high = low.replace(year=low.year + low.month // 12, month=low.month % 12 + 1)
    else:
        high = low + _STEP[finest]
    return low, high


def value_range(value: Any) -> Range | None:
    """The range of a date-like element: a date/dateTime/instant string or a Period."""
    try:
        if isinstance(value, str):
            return parse_when(value)
        if isinstance(value, dict) and ("start" in value or "end" in value):
            low = parse_when(value["start"])[0] if "start" in value else _EARLIEST
            high = parse_when(value["end"])[1] if "end" in value else _LATEST
            return low, high
    except (ValueError, TypeError):
        return None
    return None


def date_matches(ranges: list[Range], raw: str) -> bool:
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    text = raw[2:] if raw[:2] in PREFIXES else raw
    try:
        s_low, s_high = parse_when(text)
    except ValueError as exc:
        raise Problem(400, str(exc)) from exc
    checks = {
        "eq": lambda lo, hi: lo >= s_low and hi <= s_high,
        "ne": lambda lo, hi: not (lo >= s_low and hi <= s_high),
        "gt": lambda lo, hi: hi > s_high,
        "lt": lambda lo, hi: lo < s_low,
        "ge": lambda lo, hi: hi > s_low,
        "le": lambda lo, hi: lo < s_high,
        "sa": lambda lo, hi: lo >= s_high,
        "eb": lambda lo, hi: hi <= s_low,
    }
    return any(checks[prefix](low, high) for low, high in ranges)
