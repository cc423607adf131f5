"""Forget what was drawn: Rich and Textual memoise text measurement, segment splitting and
styling in process-wide caches (``functools.lru_cache`` on module functions and class methods),
so lines a citizen saw — a medicine, a booked time, a message — stay alive in them long after
the screens that drew them are gone. The end of a visit empties every such cache; they refill
with the next screens' text."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

LIBRARIES = ("rich", "textual")
"""Packages whose caches can hold drawn text; the kiosk's own code keeps none."""


def _caches_in(value: Any) -> Iterator[Any]:
    """The lru_cache wrappers a module attribute is or (for a class) holds."""
    if callable(getattr(value, "cache_clear", None)):
        yield value
    if isinstance(value, type):
        for member in vars(value).values():
            function = getattr(member, "__func__", member)  # staticmethod and classmethod
            if callable(getattr(function, "cache_clear", None)):
                yield function


def clear_display_caches() -> int:
    """Empty every memoising cache of Rich and Textual; returns how many were cleared."""
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".", 1)[0] not in LIBRARIES:
            continue
        for value in list(vars(module).values()):
            for cache in _caches_in(value):
                if id(cache) not in seen:
                    seen.add(id(cache))
                    cache.cache_clear()
    return len(seen)
