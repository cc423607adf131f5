"""App-wide messages: what background threads tell the UI (they arrive via the event loop)."""

from __future__ import annotations

from textual.message import Message


class VoiceEvent(Message):
    """The voice started or finished speaking, or played the warning tone (for captions)."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__()
        self.kind = kind
        self.text = text

    def can_replace(self, message: Message) -> bool:
        # Only the newest caption matters.
        return isinstance(message, VoiceEvent)


class HeadsetChanged(Message):
    """A headset was plugged in (``plugged``) or pulled out."""

    def __init__(self, plugged: bool) -> None:
        super().__init__()
        self.plugged = plugged
