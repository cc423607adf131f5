"""What the helper panel may show a staff member, and nothing more: the task, the step, the
answers given so far and the step's hint for staff.

The panel sits beside the citizen's screen, but it is for someone who is not the citizen, so
everything it shows passes through ``staff_view``: a sign-in is the citizen's own (a helper
never sees or speeds up an e-ID login), a private step is not shown at all, and a private or
masked answer never appears, not even inside another step's text. What is left are msgids and
answer labels; the widget translates them into the staff member's language.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.guides.model import ConfirmStep, Guide, SigninStep, Step
from translations.catalog import N_

SIGN_IN_NOTE = N_("The citizen signs in on their own phone. Staff do not see or help with "
                  "sign-in.")
PRIVATE_NOTE = N_("This step is private. It is not shown here.")
HIDDEN = "…"
"""What stands in a step's text for an answer the panel may not show."""


@dataclass(frozen=True)
class StaffView:
    """The panel's content for one moment of a visit (msgids, and answers as labelled)."""

    title: str = ""
    """The task's title (a msgid); empty outside a task."""
    step: str = ""
    """The step's prompt (translated, then filled with ``values``); empty when hidden."""
    values: Mapping[str, str] | None = None
    """What the step's {placeholders} may show: visible answers, ``HIDDEN`` for the rest."""
    note: str = ""
    """Why the step is not shown (SIGN_IN_NOTE, PRIVATE_NOTE), else empty."""
    answers: tuple[str, ...] = ()
    """The visible answers given so far, in the order given."""
    hint: str = ""
    """The step's ``staff_hint`` (a msgid), else empty."""
    citizen_confirms: bool = False
    """The step is a yes/no the citizen answers themselves (a confirmation before sending)."""


def _shown(step: Step) -> bool:
    return not (getattr(step, "private", False) or getattr(step, "masked", False))


def visible_answers(guide: Guide, labels: Mapping[str, str]) -> dict[str, str]:
    """The answers a staff member may see: those of the guide's own questions, none of them
    private or masked. Values a service returned (a booking's reference) are not answers."""
    by_key: dict[str, list[Step]] = {}
    for step in guide.steps.values():
        by_key.setdefault(step.key, []).append(step)
    return {key: label for key, label in labels.items()
            if key in by_key and all(_shown(step) for step in by_key[key])}


def staff_view(guide: Guide | None, step: Step | None, labels: Mapping[str, str], *,
               signing_in: bool = False) -> StaffView:
    """The panel's content for a task at ``step`` (None outside a task), the citizen's answer
    labels so far, and whether the sign-in view is on top."""
    if guide is None or step is None:
        return StaffView()
    if signing_in or isinstance(step, SigninStep):
        return StaffView(title=guide.title, note=SIGN_IN_NOTE)
    answers = visible_answers(guide, labels)
    confirms = isinstance(step, ConfirmStep)
    if not _shown(step):
        return StaffView(title=guide.title, note=PRIVATE_NOTE, answers=tuple(answers.values()),
                         citizen_confirms=confirms)
    prompt = getattr(step, "prompt", "")
    names = {name for _text, name, _spec, _conv in string.Formatter().parse(prompt) if name}
    return StaffView(title=guide.title, step=prompt,
                     values={name: answers.get(name, HIDDEN) for name in names},
                     answers=tuple(answers.values()), hint=step.staff_hint or "",
                     citizen_confirms=confirms)
