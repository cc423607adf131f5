"""The shape of a guide once loaded: immutable dataclasses shared by the loader, runner and UI.

Text fields hold English msgids; the UI translates them through the catalogs and fills
``{placeholders}`` from the session's answers (see runner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

StepKind = Literal[
    "choice", "confirm", "slot", "list", "number", "text", "signin", "action", "finish"
]
STEP_KINDS: tuple[str, ...] = (
    "choice", "confirm", "slot", "list", "number", "text", "signin", "action", "finish",
)


@dataclass(frozen=True)
class Choice:
    """One answer to a choice step."""

    id: str
    label: str
    next: str
    voice: tuple[str, ...] = ()
    """Extra words a citizen may say for this choice (English; catalogs translate them)."""


@dataclass(frozen=True)
class Step:
    """One question (or one service action) of a guide."""

    id: str
    kind: StepKind
    line: int
    """Line in the guide file where the step starts, for error messages."""
    prompt: str = ""
    help: str = ""
    """A plain-language hint shown and spoken under the prompt."""
    choices: tuple[Choice, ...] = ()
    next: str | None = None
    yes: str | None = None
    no: str | None = None
    source: str | None = None
    """slot and list steps: the service query that lists the options (e.g. free_slots)."""
    store: str | None = None
    """Session key the answer is kept under (defaults to the step id)."""
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    decimals: int = 0
    max_length: int | None = None
    action: str | None = None
    """action steps: the service action to perform (e.g. book_appointment)."""
    on_error: str | None = None
    """action steps: where to go when the service refuses (default: stay and offer retry)."""
    queued: str | None = None
    """action steps: where to go when the submission was saved on this kiosk but could not be
    sent yet (default: ``next``), so the citizen is told honestly which of the two happened."""
    private: bool = False
    """The answer or shown data is personal: never spoken through the loudspeaker."""
    masked: bool = False
    """text steps: what is typed is shown as dots and never put into a later text."""
    empty: str | None = None
    """slot and list steps: message (msgid) when the service lists nothing."""
    qr: str | None = None
    """finish steps: an address for the citizen's phone, drawn as a QR code; may start with a
    kiosk setting's placeholder such as ``{portal_url}``."""

    @property
    def key(self) -> str:
        return self.store or self.id


@dataclass(frozen=True)
class Guide:
    """A whole task, e.g. book, move or cancel an appointment."""

    id: str
    title: str
    description: str
    start: str
    steps: dict[str, Step]
    path: Path
    icon_label: str = ""
    """Spoken/text alternative of the tile's icon (EN 5.1.3.6)."""
    order: int = 100

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


@dataclass(frozen=True)
class Option:
    """An item a service lists for a slot or list step: a free time, one of my appointments,
    a medicine, a vaccine. Timed items are shown by ``start``; the others by ``label``."""

    id: str
    start: datetime | None = None
    end: datetime | None = None
    detail: str = ""
    """Untranslated extra text from the backend (e.g. practitioner name)."""
    label: str = ""
    """Text naming an untimed item: backend text shown as it is (e.g. a medicine's name), or,
    with ``label_msgid``, an English msgid the screen translates (e.g. a consent topic)."""
    label_msgid: bool = False
    day: date | None = None
    """A calendar day the screen writes in the citizen's language (a vaccine given, a date due)."""
    note: str = ""
    """An English msgid the screen translates and always shows after the time or name, e.g.
    "by video" for one of my appointments, "due now" for a recommended vaccine."""


@dataclass(frozen=True)
class ActionResult:
    """What a service action reports back, for the finish step's text."""

    ok: bool
    values: dict[str, Any] = field(default_factory=dict)
    """Values the finish text may use as {placeholders}."""
    error: str | None = None
    """A msgid saying what went wrong and what to do next, when ok is False."""
    queued: bool = False
    """ok, but saved on this kiosk to be sent when the connection is back (not sent yet)."""


class ActionPort(Protocol):
    """The services a guide can call. Implemented by kiosk.services.tasks over the HTTP client."""

    def options(self, source: str, session: Any) -> list[Option]:
        """List what a slot step offers. Raises kiosk.services.http.ServiceError on failure."""
        ...

    def perform(self, action: str, session: Any) -> ActionResult:
        """Carry out an action using the session's answers. Raises ServiceError on failure."""
        ...

    def sources(self) -> frozenset[str]: ...

    def actions(self) -> frozenset[str]: ...
