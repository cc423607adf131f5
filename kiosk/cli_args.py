"""What the operator command modules share: argument types (each with the one error message it
gives), how they get their settings, and a command two modules add subcommands to."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.config import Settings


def day(text: str) -> date:
    """A day as YYYY-MM-DD (e.g. for --since)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day: {text!r} (use YYYY-MM-DD, e.g. "
                                         "2026-12-01)") from None


SettingsFor = Callable[[argparse.Namespace], Settings]
"""How a command module gets the settings for its parsed arguments (kiosk.cli's)."""


def subcommands(commands: Any, name: str, **parser_options: Any) -> Any:
    """The subcommands of command name, made now unless another module made it already (the
    `translations` command is shared by the machine-translation and recorded-audio commands)."""
    existing = commands.choices.get(name)
    if existing is None:
        existing = commands.add_parser(name, **parser_options)
        return existing.add_subparsers(title="commands", metavar="COMMAND", required=True)
    return next(a for a in existing._actions if isinstance(a, argparse._SubParsersAction))
