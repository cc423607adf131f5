"""Helselos kiosk: the Textual app, its guide engine, session and service clients."""

__version__ = "0.1.0"
