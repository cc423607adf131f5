"""The Session: the only holder of a citizen's personal data on the kiosk, and its wipe().

Nothing else may keep tokens, names, ids, answers or appointments. Logs and statistics get event
names and counts only. ``wipe()`` runs on finish, on "end", on idle timeout and at exit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_VOLUME = 0.7
DEFAULT_RATE = 160
THEMES = ("default", "high-contrast")
RATES = (120, 140, DEFAULT_RATE, 185, 210)
"""Words per minute, slower to faster, around the 160 older listeners find comfortable (slowed
synthetic speech is harder to follow, not easier, so the slowest step stays at 120)."""
VOLUMES = (0.4, 0.55, DEFAULT_VOLUME, 0.85, 1.0)


def _step(steps: tuple[float, ...], now: float, up: bool) -> float:
    """The next step up or down from now (from the nearest step when now lies between)."""
    nearest = min(range(len(steps)), key=lambda i: abs(steps[i] - now))
    return steps[max(0, min(len(steps) - 1, nearest + (1 if up else -1)))]


@dataclass
class Preferences:
    """What a citizen may change for their own visit; all of it resets between citizens."""

    language: str = "nb"
    theme: str = "default"
    large_text: bool = False
    volume: float = DEFAULT_VOLUME
    speech_rate: int = DEFAULT_RATE
    explore: bool = False
    """Explore mode: the first press of a number key says the button, the second presses it."""
    speech: bool = True
    """Whether the kiosk speaks to this citizen (a preference card may turn it off)."""
    longer_time: bool = False
    """Longer time limits: the visit ends after twice the idle time (from a preference card)."""

    def step_rate(self, faster: bool) -> int:
        self.speech_rate = int(_step(RATES, self.speech_rate, faster))
        return self.speech_rate

    def step_volume(self, louder: bool) -> float:
        self.volume = _step(VOLUMES, self.volume, louder)
        return self.volume


@dataclass
class SignedInPerson:
    """Who is signed in, as the backend told us after device sign-in."""

    patient_id: str
    display_name: str
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class ActingFor:
    """Someone the signed-in citizen acts for (their child, or an adult who made them proxy):
    the kiosk then reads and writes that person's record."""

    patient_id: str
    display_name: str


class Session:
    """One citizen's visit. Holds everything personal; ``wipe()`` forgets all of it."""

    def __init__(self, default_language: str = "nb") -> None:
        self._default_language = default_language
        self.prefs = Preferences(language=default_language)
        self.person: SignedInPerson | None = None
        self.acting_for: ActingFor | None = None
        self.answers: dict[str, Any] = {}
        self.labels: dict[str, str] = {}
        self.fetched: dict[str, Any] = {}
        self.translated: dict[tuple[str, str, str], Any] = {}
        """Machine translations made this visit, by (text, source, target): they may hold
        personal data, so they last the visit (several tasks may show one message), no longer."""
        self.guide_id: str | None = None
        self.active = False

    def begin(self) -> None:
        """A citizen has started using the kiosk."""
        self.active = True

    @property
    def signed_in(self) -> bool:
        return self.person is not None

    @property
    def access_token(self) -> str | None:
        return self.person.access_token if self.person else None

    def sign_in(self, patient_id: str, display_name: str, access_token: str) -> bool:
        """Keep who signed in. The same person signing in again (their token had expired) keeps
        what they were doing; if someone else was signed in, nothing of theirs stays (whom they
        acted for, their answers) and this returns False."""
        previous = self.person
        self.person = SignedInPerson(patient_id, display_name, access_token)
        if previous is None or previous.patient_id == patient_id:
            return True
        self.acting_for = None
        self.answers.clear()
        self.labels.clear()
        self.fetched.clear()
        self.translated.clear()
        return False

    def sign_out(self) -> None:
        """Forget the signed-in person (their sign-in ran out and they did not renew it)."""
        self.person = None
        self.acting_for = None

    def act_for(self, patient_id: str, display_name: str) -> None:
        """Use this person's record from now on; the signed-in citizen's own id means none."""
        own = self.person is not None and self.person.patient_id == patient_id
        self.acting_for = None if own else ActingFor(patient_id, display_name)

    def remember(self, key: str, value: Any, label: str | None = None) -> None:
        """Keep an answer (and how it reads to the citizen) for later steps of the guide."""
        self.answers[key] = value
        if label is not None:
            self.labels[key] = label

    def start_guide(self, guide_id: str) -> None:
        self.guide_id = guide_id
        self.answers.clear()
        self.labels.clear()
        self.fetched.clear()

    def end_guide(self) -> None:
        """A task is finished but the visit goes on: forget the task's answers, keep who is
        signed in and whose record is open."""
        self.guide_id = None
        self.answers.clear()
        self.labels.clear()
        self.fetched.clear()

    def wipe(self) -> None:
        """Forget everything about this citizen and restore the defaults for the next one."""
        self.person = None
        self.acting_for = None
        self.answers.clear()
        self.labels.clear()
        self.fetched.clear()
        self.translated.clear()
        self.answers = {}
        self.labels = {}
        self.fetched = {}
        self.translated = {}
        self.guide_id = None
        self.prefs = Preferences(language=self._default_language)
        self.active = False
