"""The shape of a guide: its file (msgspec Structs, one class per step kind, validated by
kiosk.datafile against the rules in kiosk.guides.schema) and the guide once loaded.

Text fields hold English msgids; the UI translates them through the catalogs and fills
``{placeholders}`` from the session's answers (see runner). A step kind is a class here holding
only its own fields; ``Step`` is their union, told apart by the ``kind`` field of the file.
Adding a kind: a class here (and in the ``Step`` union), a method of ``GuideRunner`` marked
``@answers(NewStep)`` (kiosk/guides/runner.py), and a ``_compose_<kind>`` renderer in
kiosk/screens/step.py.
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Protocol, get_args

import msgspec
from msgspec import Meta

from kiosk.datafile import Rule, Says

NAME_PATTERN = r"\A[A-Za-z_][A-Za-z0-9_]*\Z"
"""Ids, answer names and step targets: letters, digits and ``_``, starting with a letter."""
TEXT_FIX = "write a short sentence here."
TILE_FIX = "say in a few words what the tile's icon shows; it is read aloud."
ADDRESS_FIX = "write an address such as {portal_url} or https://…"

_TEXT_WRONG = "must be text, not {shown}."
Name = Annotated[str, Meta(pattern=NAME_PATTERN), Says(
    wrong="must be a name such as 'pick_time', not {shown}.",
    bad="'{value}' is not a usable name; use letters, digits and _ only, starting with a letter,"
        " like 'pick_time'.")]
Text = Annotated[str, Says(wrong=_TEXT_WRONG, null=f"is empty; {TEXT_FIX}"), Rule("text")]
"""A short plain sentence (a msgid), maybe with ``{placeholders}`` (the rule "text")."""
TileText = Annotated[str, Says(wrong=_TEXT_WRONG, null=f"is empty; {TILE_FIX}"),
                     Rule("text", fix=TILE_FIX)]
HINT_FIX = "write one short sentence telling a staff member how to help with this step."
StaffHint = Annotated[str, Says(wrong=_TEXT_WRONG, null=f"is empty; {HINT_FIX}"),
                      Rule("staff_hint")]
"""A sentence for the staff member helping (shown in the helper panel, never to the citizen);
no ``{placeholders}``, so it can never show one of the citizen's answers."""
Address = Annotated[str, Says(wrong=_TEXT_WRONG, null=f"is empty; {ADDRESS_FIX}"),
                    Rule("address")]
"""An http(s) address, maybe starting with a kiosk setting such as ``{portal_url}``."""
Number = Annotated[float, Says(wrong="must be a number such as 72 or 72.5, not {shown}.")]
_WHOLE = "must be a whole number such as 3, not {shown}."
Whole = Annotated[int, Meta(ge=0), Says(wrong=_WHOLE, bad="must be 0 or more, not {value}.")]
Positive = Annotated[int, Meta(ge=1), Says(wrong=_WHOLE, bad="must be 1 or more, not {value}.")]
Flag = Annotated[bool, Says(wrong="must be yes or no, not {shown}.")]
Source = Annotated[Name, Rule("source")]
"""The name of a service query listing options (checked against the services' names)."""
ActionName = Annotated[Name, Rule("action")]
"""The name of a service action (checked against the services' names)."""
Words = Annotated[tuple[Text, ...], Says(wrong="must be a list of words, like [book, new].")]


class Choice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One answer to a choice step."""

    noun: ClassVar[str] = "a choice"

    id: Name
    label: Text
    next: Name
    voice: Words = ()
    """Extra words a citizen may say for this choice (English; catalogs translate them)."""


Choices = Annotated[
    tuple[Annotated[Choice, Says(wrong="a choice must be a group of fields: id, label, next.")],
          ...],
    Meta(min_length=2), Rule("choices"),
    Says(wrong="must be a list of at least two choices (for a yes/no question use a confirm"
               " step)."),
]


class StepBase(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind",
               dict=True, kw_only=True):
    """What every step has: an id (unique in its guide) and, optionally, a hint for staff. The
    file names the kind. (Keyword-only, so the optional hint may precede each kind's required
    fields.)"""

    kind: ClassVar[str]
    noun: ClassVar[str]

    id: Name
    staff_hint: StaffHint | None = None
    """How a staff member can help with this step, in the helper panel (translated)."""

    @property
    def key(self) -> str:
        """Session key the answer is kept under: the step's ``store``, else its id."""
        store = getattr(self, "store", None)
        return store if isinstance(store, str) and store else self.id

    @property
    def line(self) -> int:
        """Line in the guide file where the step starts (noted by the loader)."""
        return int(self.__dict__.get("line", 0))


class ChoiceStep(StepBase, frozen=True, tag="choice"):
    """A question answered by touching (or saying) one of its choices."""

    kind: ClassVar[Literal["choice"]] = "choice"
    noun: ClassVar[str] = "a choice step"

    prompt: Text
    help: Text
    """A plain-language hint shown and spoken under the prompt."""
    choices: Choices
    store: Name | None = None
    """Session key the answer is kept under (defaults to the step id)."""
    private: Flag = False
    """The answer or shown data is personal: never spoken through the loudspeaker."""


class ConfirmStep(StepBase, frozen=True, tag="confirm"):
    """A yes/no question."""

    kind: ClassVar[Literal["confirm"]] = "confirm"
    noun: ClassVar[str] = "a confirm step"

    prompt: Text
    help: Text
    yes: Name
    no: Name
    store: Name | None = None
    private: Flag = False


class SlotStep(StepBase, frozen=True, tag="slot"):
    """Pick one of the options a service lists (a free time, one of my appointments)."""

    kind: ClassVar[Literal["slot"]] = "slot"
    noun: ClassVar[str] = "a slot step"

    prompt: Text
    help: Text
    source: Source
    """The service query that lists the options (e.g. free_slots)."""
    next: Name
    empty: Text
    """Message (msgid) when the service lists nothing."""
    store: Name | None = None
    private: Flag = False


class ListStep(StepBase, frozen=True, tag="list"):
    """Show what a service lists (e.g. my vaccines), then go on; nothing is picked."""

    kind: ClassVar[Literal["list"]] = "list"
    noun: ClassVar[str] = "a list step"

    prompt: Text
    help: Text
    source: Source
    next: Name
    empty: Text
    private: Flag = False


class NumberStep(StepBase, frozen=True, tag="number"):
    """A number the citizen types, e.g. a weight."""

    kind: ClassVar[Literal["number"]] = "number"
    noun: ClassVar[str] = "a number step"

    prompt: Text
    help: Text
    unit: Text
    next: Name
    minimum: Number | None = None
    maximum: Number | None = None
    decimals: Whole = 0
    """How many digits may follow the comma."""
    store: Name | None = None
    private: Flag = False


class TextStep(StepBase, frozen=True, tag="text"):
    """Words the citizen types."""

    kind: ClassVar[Literal["text"]] = "text"
    noun: ClassVar[str] = "a text step"

    prompt: Text
    help: Text
    next: Name
    max_length: Positive | None = None
    store: Name | None = None
    private: Flag = False
    masked: Flag = False
    """What is typed is shown as dots and never put into a later text (an id number)."""


class SigninStep(StepBase, frozen=True, tag="signin"):
    """Sign in with the phone; passed by at once when the citizen is signed in already."""

    kind: ClassVar[Literal["signin"]] = "signin"
    noun: ClassVar[str] = "a signin step"

    next: Name
    prompt: Text = ""
    help: Text = ""


class ActionStep(StepBase, frozen=True, tag="action"):
    """Call a service, e.g. book_appointment."""

    kind: ClassVar[Literal["action"]] = "action"
    noun: ClassVar[str] = "an action step"

    action: ActionName
    """The service action to perform."""
    next: Name
    prompt: Text = ""
    help: Text = ""
    on_error: Name | None = None
    """Where to go when the service refuses (default: stay and offer retry)."""
    queued: Name | None = None
    """Where to go when the submission was saved on this kiosk but could not be sent yet
    (default: ``next``), so the citizen is told honestly which of the two happened."""


class FinishStep(StepBase, frozen=True, tag="finish"):
    """The last screen of a guide."""

    kind: ClassVar[Literal["finish"]] = "finish"
    noun: ClassVar[str] = "a finish step"

    prompt: Text
    help: Text = ""
    private: Flag = False
    qr: Address | None = None
    """An address for the citizen's phone, drawn as a QR code; may start with a kiosk
    setting's placeholder such as ``{portal_url}``."""


Step = (ChoiceStep | ConfirmStep | SlotStep | ListStep | NumberStep | TextStep | SigninStep
        | ActionStep | FinishStep)
"""One question (or one service action) of a guide."""
STEP_TYPES: tuple[type[StepBase], ...] = get_args(Step)
STEP_KINDS: tuple[str, ...] = tuple(kind.kind for kind in STEP_TYPES)
QuestionStep = ChoiceStep | ConfirmStep | SlotStep | ListStep | NumberStep | TextStep
"""The steps that ask the citizen something (``back()`` returns to them)."""


class GuideFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A guide file as written."""

    noun: ClassVar[str] = "a guide"

    id: Name
    title: Text
    description: Text
    icon_label: TileText
    start: Name
    steps: Annotated[
        tuple[Annotated[Step, Says(wrong="a step must be a group of fields: id, kind, ...")],
              ...],
        Meta(min_length=1),
        Says(wrong="must be a list of steps, each starting with '- id: ...'."),
    ]
    order: Whole = 100


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
    original: str = ""
    """Set when ``label`` is a machine translation: the text as the service wrote it. The
    screen labels the translation as such and shows this instead at one key."""


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
