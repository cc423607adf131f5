"""Argument types the operator commands share, each with the one error message it gives."""

from __future__ import annotations

import argparse
from datetime import date


def day(text: str) -> date:
    """A day as YYYY-MM-DD (e.g. for --since)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day: {text!r} (use YYYY-MM-DD, e.g. "
                                         "2026-12-01)") from None
