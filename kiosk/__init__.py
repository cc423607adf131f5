"""Helselos kiosk: the Textual app, its guide engine, session and service clients."""

import os

# onnxruntime (under Argos translation and Silero voice detection) writes a device id and looks
# hosts up unless this is set before its first import: the kiosk makes no network call of its own.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
