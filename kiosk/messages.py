"""App-wide messages: how views ask for the next thing, and what background threads tell the UI.

A view never calls the app: it posts one of these, which bubbles up to the app, and the app
decides what happens (which view comes next, what is spoken, when the visit ends). Messages
from threads (the voice, the headset jack) arrive through the event loop the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message

Heading = Callable[[], tuple[str, str]]
"""A step's prompt and help in the language of the moment (asked again after a switch)."""


class VoiceEvent(Message):
    """The voice started or finished speaking, or played the warning tone (for captions)."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__()
        self.kind = kind
        self.text = text

    def can_replace(self, message: Message) -> bool:
        # Only the newest caption matters.
        return isinstance(message, VoiceEvent)


class SpokenAnswer(Message):
    """The recognizer heard something (from the listening thread): ``command`` is the phrase of
    the current screen it was exactly, else None."""

    def __init__(self, text: str, command: str | None) -> None:
        super().__init__()
        self.text = text
        self.command = command


class ListeningChanged(Message):
    """Listening began or ended, a model became ready, or the microphone went away."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


class Announce(Message):
    """Say this now (a button announced in explore mode), in the language of the moment."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FocusMoved(Message):
    """The citizen moved focus: ``said`` names the control, its state and its place."""

    def __init__(self, said: str) -> None:
        super().__init__()
        self.said = said


class HeadsetChanged(Message):
    """A headset was plugged in (``plugged``) or pulled out."""

    def __init__(self, plugged: bool) -> None:
        super().__init__()
        self.plugged = plugged


class StaffCallChanged(Message):
    """The call for staff changed (delivered, retrying, failed, ended). It carries no state:
    reports from two threads may arrive out of order, so the handler reads the state then."""


class Speak(Message):
    """Say what the view shows (it was drawn anew, or the citizen asked)."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view


class StartVisit(Message):
    """A citizen begins: the language comes first."""


class LanguageWanted(Message):
    """The citizen wants to choose another language."""


class LanguageChosen(Message):
    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class GuideChosen(Message):
    """Begin a task."""

    def __init__(self, guide_id: str) -> None:
        super().__init__()
        self.guide_id = guide_id


class Asked(Message):
    """A request of the view ``asker``: dropped when that view is no longer on top (it was left
    before its request was taken up, e.g. Back in the same moment)."""

    def __init__(self, asker: Any) -> None:
        super().__init__()
        self.asker = asker


class SignInWanted(Asked):
    """Sign in on the citizen's phone; ``done(True)`` once signed in, ``done(False)`` on
    Back."""

    def __init__(self, asker: Any, heading: Heading | None,
                 done: Callable[[bool], Any]) -> None:
        super().__init__(asker)
        self.heading = heading
        self.done = done


class FinishWanted(Asked):
    """The task is done: say so, and offer Done and Another task."""

    def __init__(self, asker: Any, heading: Heading, private: bool, qr: str | None) -> None:
        super().__init__(asker)
        self.heading = heading
        self.private = private
        self.qr = qr


class AnotherTask(Message):
    """Back to the menu's first page, still signed in."""


class GuideRestart(Message):
    """Begin this guide again from its start (someone else signed in)."""

    def __init__(self, guide_id: str) -> None:
        super().__init__()
        self.guide_id = guide_id


class ServiceTrouble(Message):
    """A service failed: say what happened and offer ``retry`` (labelled ``retry_label``),
    staff help and, where there is a printer, a slip."""

    def __init__(self, message: str, retry: Callable[[], Any], retry_label: str) -> None:
        super().__init__()
        self.message = message
        self.retry = retry
        self.retry_label = retry_label


class GoBack(Message):
    """The current view is done and goes (Back, or a task that cannot go on)."""


class EndVisit(Message):
    """End the visit now: Done, End, Back past the first view of a visit."""
