"""Continue on my phone: the health portal's own page for the task on screen, as a QR code.

The deep links are kiosk settings (``portal_links``, one per guide id), not guide text: where a
task lives in the portal depends on which health portal the kiosk serves (helsenorge.no, 1177.se,
a test portal), while the guides are the same at every kiosk. A link is used exactly as
configured, never filled in or extended, so nothing of the visit (a name, an id, an answer) can
reach the URL; ``link_problem`` refuses anything else at start: only https, a host, no user
name or password, and no ``{placeholder}`` that could suggest otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_TASK = re.compile(r"[a-z][a-z0-9_]*")
"""A guide id as the guides' schema allows it."""


def link_problem(task: str, url: str) -> str | None:
    """What is wrong with one ``portal_links`` entry, or None when it may be shown."""
    if not _TASK.fullmatch(task):
        return f"{task!r} is not a task id (a guide's id, e.g. appointment)"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return f"{task}: not a web address: {url!r}"
    if parts.scheme != "https" or not host:
        return f"{task}: must be an https:// address, got {url!r}"
    if parts.username is not None or parts.password is not None:
        return f"{task}: must not hold a user name or password"
    if any(c in url for c in "{} \t\r\n"):
        return f"{task}: is used as written: no {{placeholders}} or spaces, got {url!r}"
    return None


def portal_link(links: Mapping[str, str], task: str | None) -> str | None:
    """The deep link for the task (a guide id), or None: then the action is not offered."""
    return links.get(task) if task is not None else None
