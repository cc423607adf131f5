"""Where the kiosk logs, and what may reach the log: our own modules' event lines only.

Libraries log what they see: urllib3 writes request paths and queries (``/fhir/Patient/kari``)
in its retry warnings, Textual writes widget contents in debug. Their records keep logger name
and level, so an operator still sees that something happened, but never their text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct

OWN_LOGGERS = ("kiosk", "speech", "translations", "helper_mode", "hardware")
WITHHELD = "(message withheld: it may hold personal data)"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL = "journal"
"""HELSELOS_LOG=journal: log to systemd's journal, which stamps time and level itself."""
JOURNAL_SOCKET = "/run/systemd/journal/socket"
JOURNAL_FORMAT = "%(name)s: %(message)s"
# syslog priorities by logging level, as journald expects them in PRIORITY=.
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6}


class OwnMessagesOnly(logging.Filter):
    """Keeps our own modules' messages; replaces every other library's text by WITHHELD."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if not any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS):
            record.msg, record.args = WITHHELD, None
            record.exc_info = record.exc_text = record.stack_info = None
        return True


class JournalHandler(logging.Handler):
    """Sends records to systemd's journal over its native datagram socket.

    The kiosk's stderr is its screen (Textual draws there), so under systemd the log cannot go
    to stderr; and a journal that is away must never put an error text on the citizen's screen,
    so a failed send is dropped, not reported the way logging's default handleError would."""

    def __init__(self, socket_path: str = JOURNAL_SOCKET) -> None:
        super().__init__()
        self.socket_path = socket_path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def emit(self, record: logging.LogRecord) -> None:
        fields = {
            "MESSAGE": self.format(record),
            "PRIORITY": str(_PRIORITY.get(record.levelno, 7)),
            "SYSLOG_IDENTIFIER": "helselos",
            "LOGGER": record.name,
        }
        with contextlib.suppress(OSError):
            self._socket.sendto(journal_datagram(fields), self.socket_path)

    def close(self) -> None:
        self._socket.close()
        super().close()


def journal_datagram(fields: dict[str, str]) -> bytes:
    """journald's native protocol: every field in its binary form (name, newline, 64-bit
    little-endian length, value, newline), which holds any text, newlines included."""
    parts = []
    for name, value in fields.items():
        data = value.encode("utf-8")
        parts.append(name.encode("ascii") + b"\n" + struct.pack("<Q", len(data)) + data + b"\n")
    return b"".join(parts)


def log_handler(target: str) -> logging.Handler:
    """A handler for target (a file path, or ``journal``) that lets no library's text through."""
    handler: logging.Handler
    if target == JOURNAL:
        handler = JournalHandler(os.environ.get("HELSELOS_JOURNAL_SOCKET", JOURNAL_SOCKET))
        handler.setFormatter(logging.Formatter(JOURNAL_FORMAT))
    else:
        handler = logging.FileHandler(target, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(OwnMessagesOnly())
    return handler


def setup_logging() -> None:
    """Log to the file HELSELOS_LOG names, to the journal, or nowhere: Textual draws on the
    terminal, so the log never goes to stdout or stderr."""
    target = os.environ.get("HELSELOS_LOG")
    if not target:
        return
    root = logging.getLogger()
    root.addHandler(log_handler(target))
    root.setLevel(logging.INFO)
