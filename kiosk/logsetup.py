"""Where the kiosk logs, and what may reach the log: our own modules' event lines only.

Libraries log what they see: urllib3 writes request paths and queries (``/fhir/Patient/kari``)
in its retry warnings, Textual writes widget contents in debug. Their records keep logger name
and level, so an operator still sees that something happened, but never their text.
"""

from __future__ import annotations

import logging
import os

OWN_LOGGERS = ("kiosk", "speech", "translations", "helper_mode", "hardware")
WITHHELD = "(message withheld: it may hold personal data)"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OwnMessagesOnly(logging.Filter):
    """Keeps our own modules' messages; replaces every other library's text by WITHHELD."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if not any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS):
            record.msg, record.args = WITHHELD, None
            record.exc_info = record.exc_text = record.stack_info = None
        return True


def log_handler(target: str) -> logging.Handler:
    """A file handler for target that lets no library's text through."""
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(OwnMessagesOnly())
    return handler


def setup_logging() -> None:
    """Log to the file HELSELOS_LOG names, or nowhere: Textual draws on the terminal."""
    target = os.environ.get("HELSELOS_LOG")
    if not target:
        return
    root = logging.getLogger()
    root.addHandler(log_handler(target))
    root.setLevel(logging.INFO)
