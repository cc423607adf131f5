"""The guide file format (the content author's reference) and the rules every guide must pass.

A guide is one YAML file, e.g. ``kiosk/guides/content/appointment.yaml``. Check your work with
``kiosk guides check FILE_OR_FOLDER``: every problem is reported as ``file:line: field 'x':
what is wrong and how to fix it``. (For programmers: the file's typed model is ``GuideFile`` in
kiosk/guides/model.py, one class per step kind, read by kiosk.datafile; the rules that go
beyond types are the functions registered in ``RULES`` below.)

Write every text as a short, plain English sentence. English is the source language: the
catalogs in ``translations/locale`` translate each sentence. ``{slot}``-style placeholders are
filled with earlier answers (the ``store`` name of a step, or ``name`` for the signed-in person).
Ids, texts and yes/no targets are read exactly as written, so ``no: pick_time`` and
``label: No`` need no quotes.

Top-level fields
    id           required  the guide's name: letters, digits and ``_``; unique among all guides
    title        required  the heading on the start tile
    description  required  one sentence under the title
    icon_label   required  the tile icon in words, read aloud (an icon never stands alone)
    order        optional  whole number; tiles are sorted by it (default 100)
    start        required  the id of the first step
    steps        required  the list of steps

Every step has ``id`` (letters, digits, ``_``; unique in the guide) and ``kind``. Which other
fields a step takes depends on its kind (``*`` = required):

    choice   prompt*, help*, choices*, store, private
    confirm  prompt*, help*, yes*, no*, store, private          a yes/no question
    slot     prompt*, help*, source*, next*, empty*, store, private
             pick one of the options a service lists (``source``: free_slots, my_appointments);
             ``empty`` is said when there is nothing to pick
    list     prompt*, help*, source*, next*, empty*, private
             show what a service lists (e.g. my_vaccines), then go on; nothing is picked
    number   prompt*, help*, unit*, next*, minimum, maximum, decimals, store, private
             ``decimals`` (default 0) is how many digits may follow the comma
    text     prompt*, help*, next*, max_length, store, private, masked
             ``masked: yes`` (an id number): typed as dots, never shown or spoken back
    signin   next*, prompt, help                                sign in with the phone
    action   action*, next*, prompt, help, on_error, queued     call a service, e.g.
             book_appointment; on failure stay (the citizen may retry) or go to ``on_error``;
             a submission saved on the kiosk but not sent yet goes to ``queued`` if given
    finish   prompt*, help, private, qr                         the last screen; ``qr``: an
             http(s) address shown as a QR code for the citizen's phone, written out or as
             a kiosk setting: ``{portal_url}`` (the health portal), optionally with a path

Any step but ``signin`` may have ``staff_hint``: one sentence for a staff member helping the
citizen (shown in the helper panel only, translated like every text). It holds no
``{placeholders}``: a hint never shows the citizen's answers. Sign-in is the citizen's own, so
a ``signin`` step has no hint.

A choice has ``id``, ``label``, ``next`` (all required) and ``voice``: a list of extra words the
citizen may say for it. ``store`` names the answer for later ``{placeholders}`` (default: the
step id). ``private: yes`` keeps the step's text off the loudspeaker (headset only).

Every step must be reachable from ``start``, every step must be able to reach a ``finish``
step, and every ``next``/``yes``/``no``/``on_error``/``queued`` must name a step of the same
guide.

Example::

    id: practice
    title: Practice
    description: Try the kiosk without signing in.
    icon_label: A star
    start: colour
    steps:
      - id: colour
        kind: choice
        prompt: Which colour do you like?
        help: Touch a colour, or say its name.
        choices:
          - {id: red, label: Red, next: sure, voice: [red]}
          - {id: blue, label: Blue, next: sure}
      - id: sure
        kind: confirm
        prompt: You chose {colour}. Is that right?
        help: Say yes or no.
        yes: done
        no: colour
      - id: done
        kind: finish
        prompt: Well done!
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import msgspec

from kiosk.datafile import (
    At,
    DataFileError,
    DataFileErrors,
    Document,
    Format,
    KeyPath,
    Rules,
    Shape,
    read,
    suggest,
    validate,
)
from kiosk.guides.model import (
    ADDRESS_FIX,
    HINT_FIX,
    STEP_KINDS,
    STEP_TYPES,
    TEXT_FIX,
    ChoiceStep,
    FinishStep,
    Guide,
    GuideFile,
    NumberStep,
    SigninStep,
    Step,
)

__all__ = ["GuideError", "GuideErrors", "Known", "read_guide", "suggest"]

ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
QR_SETTINGS = ("portal_url",)
"""Kiosk settings a finish step's ``qr`` may name: the address depends on where it runs."""
TARGET_FIELDS = ("next", "yes", "no", "on_error", "queued")


class GuideError(DataFileError):
    """One problem in a guide file, pointing at the line and field to fix."""


class GuideErrors(DataFileErrors):
    """Every problem found in one or more guide files."""


@dataclass(frozen=True)
class Known:
    """The names the services offer, which source and action steps must use (None: a name is
    not judged, e.g. when no services are configured)."""

    sources: Collection[str] | None = None
    actions: Collection[str] | None = None


def read_guide(path: Path, known: Known) -> tuple[Guide | None, list[GuideError], Document | None]:
    """Read and check one guide file: the Guide (None if anything is wrong), every problem,
    and the document (None when the file could not be read)."""
    try:
        doc = read(path, FORMAT)
    except GuideError as error:
        return None, [error], None
    loaded = validate(doc, GuideFile, fmt=FORMAT, rules=RULES, context=known)
    errors = [e for e in loaded.errors if isinstance(e, GuideError)]
    file = loaded.value
    if file is None:
        return None, errors, doc
    items = doc.node(("steps",))
    for step, item in zip(file.steps, getattr(items, "value", ()), strict=False):
        step.__dict__["line"] = item.start_mark.line + 1
    return Guide(
        id=file.id, title=file.title, description=file.description, start=file.start,
        steps={step.id: step for step in file.steps}, path=path, icon_label=file.icon_label,
        order=file.order,
    ), errors, doc


# -- how a guide file words its problems ---------------------------------------------------------


class GuideFormat(Format):
    error = GuideError

    def hint(self, problem: str) -> str:
        if "\\t" in problem:
            return "Indent with spaces, not tabs."
        if "single document" in problem:
            return "Keep one guide per file and remove the '---' line."
        return super().hint(problem)

    def empty(self, at: At[Known], shape: Shape) -> None:
        needs = ", ".join(shape.struct.required) if shape.struct else "its fields"
        at.error(f"the file is empty; a guide needs {needs}.", field=None, line=1)

    def not_a_mapping(self, at: At[Known], shape: Shape, value: object) -> None:
        if not at.path:
            at.error("a guide must be a group of fields such as 'id: my_guide'.", field=None)
        else:
            super().not_a_mapping(at, shape, value)

    def missing_tag(self, at: At[Known], shape: Shape) -> None:
        at.error(f"is missing; use one of {', '.join(STEP_KINDS)}.", "kind", line=at.line())

    def unknown_tag(self, at: At[Known], shape: Shape, value: object) -> None:
        kind = value if isinstance(value, str) else ""
        at.error(f"{self.shown(at, value)} is not a step kind.{suggest(kind, STEP_KINDS)}"
                 f" Use one of: {', '.join(STEP_KINDS)}.")


FORMAT = GuideFormat()


# -- the rules ----------------------------------------------------------------------------------

RULES: Rules[Known] = Rules()


@RULES.check("text")
def text(value: str, at: At[Known], fix: str = TEXT_FIX) -> None:
    """Not empty; every {placeholder} a plain name."""
    if not value.strip():
        at.error(f"is empty; {fix}")
        return
    if "{" not in value and "}" not in value:
        return
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        at.error(f"has a broken {{placeholder}} ({exc}). Close every '{{' with '}}';"
                 " write '{{' or '}}' for a brace that is just text.")
        return
    for _literal, name, spec, conversion in parts:
        if name is not None and (not ID_PATTERN.match(name) or spec or conversion):
            at.error(f"placeholder '{{{name}}}' must be a plain name such as {{slot}}.")
            return


@RULES.check("staff_hint")
def staff_hint(value: str, at: At[Known]) -> None:
    """Not empty, and no {placeholder}: the helper panel must never show an answer."""
    if not value.strip():
        at.error(f"is empty; {HINT_FIX}")
    elif "{" in value or "}" in value:
        at.error("must not hold a {placeholder} or brace: a hint for staff never shows the"
                 " citizen's answers. Write it without them.")


@RULES.check(SigninStep)
def no_hint_on_signin(step: SigninStep, at: At[Known]) -> None:
    if step.staff_hint is not None:
        at.error("a signin step takes no staff hint: signing in is the citizen's own, on"
                 " their phone, and the helper panel shows staff nothing of it. Remove it.",
                 "staff_hint")


@RULES.check("address")
def address(value: str, at: At[Known]) -> None:
    """An http(s) address; it may start with a setting's placeholder such as {portal_url}."""
    if not value.strip():
        at.error(f"is empty; {ADDRESS_FIX}")
        return
    try:
        names = [n for _lit, n, _spec, _conv in string.Formatter().parse(value) if n]
    except ValueError:
        names = ["{"]
    unknown = [n for n in names if n not in QR_SETTINGS]
    if unknown or (names and not value.startswith("{")):
        at.error("only a kiosk setting may be filled in here, at the very start: "
                 + ", ".join(f"{{{name}}}" for name in QR_SETTINGS) + ".")
        return
    parts = urlsplit(value.format_map(dict.fromkeys(QR_SETTINGS, "https://setting.invalid")))
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        at.error(f"'{value}' is not a web address; write one starting with https:// or a"
                 " setting such as {portal_url}.")


def _known_name(value: str, at: At[Known], kind: str, known: Collection[str] | None) -> None:
    if known is not None and value not in known:
        at.error(f"the services have no {kind} '{value}'.{suggest(value, known)}"
                 f" Known: {', '.join(sorted(known)) or 'none'}.")


@RULES.check("source")
def source(value: str, at: At[Known]) -> None:
    _known_name(value, at, "source", at.context.sources if at.context else None)


@RULES.check("action")
def action(value: str, at: At[Known]) -> None:
    _known_name(value, at, "action", at.context.actions if at.context else None)


@RULES.check("choices")
def choice_ids_differ(choices: tuple[object, ...], at: At[Known]) -> None:
    seen: dict[str, int] = {}
    for index, choice in enumerate(choices):
        choice_id = str(getattr(choice, "id", ""))
        if choice_id in seen:
            at.error(f"choice id '{choice_id}' is already used on line {seen[choice_id]};"
                     " give each choice its own id.", index, "id")
        else:
            seen[choice_id] = at.line(index)


@RULES.check(NumberStep)
def minimum_not_above_maximum(step: NumberStep, at: At[Known]) -> None:
    low, high = step.minimum, step.maximum
    if low is not None and high is not None and low > high:
        at.error(f"minimum {low:g} is larger than maximum {high:g}; swap them.", "minimum")


@dataclass(frozen=True)
class Links:
    """Where one step of a guide leads, as far as it can be read."""

    index: int
    id: str | None
    """None when the step has no usable id."""
    targets: tuple[tuple[KeyPath, str], ...]
    """(the field, the step id) for each next, yes, no, on_error, queued and choice."""


@RULES.check(GuideFile)
def steps_link_up(guide: GuideFile, at: At[Known]) -> None:
    """Step ids unique, every target and the start a step, a finish step, and every step
    reachable from the start and able to reach a finish."""
    links = [Links(i, s.id, tuple(step_targets(s))) for i, s in enumerate(guide.steps)]
    ids = _step_ids(links, at)
    targets_exist = _targets_exist(links, ids, at)
    if not (_start_exists(guide.start, ids, at) and targets_exist
            and len(ids) == len(guide.steps)):
        return  # one typo in a link would also show as an unreachable step
    finishes = [s.id for s in guide.steps if isinstance(s, FinishStep)]
    if not finishes:
        at.error("the guide has no finish step; add a step with 'kind: finish' that says what"
                 " happens next.", "steps")
        return
    _every_step_on_a_way(guide, links, finishes, at)


@RULES.unbuilt(GuideFile)
def links_as_written(data: dict[str, Any], at: At[Known]) -> None:
    """A guide with other problems: steps sharing an id, links to no step and a start naming
    no step are still reported, from the steps as far as they can be read."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        return
    links = [_links_as_written(index, item) for index, item in enumerate(steps)]
    ids = _step_ids(links, at)
    if ids:
        _targets_exist(links, ids, at)
        start = data.get("start")
        if _usable(start):
            _start_exists(start, ids, at)


def _usable(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and ID_PATTERN.match(value) is not None


def _links_as_written(index: int, item: object) -> Links:
    if not isinstance(item, dict):
        return Links(index, None, ())
    step_id = item["id"] if _usable(item.get("id")) else None
    kind = next((k for k in STEP_TYPES if k.kind == item.get("kind")), None)
    if kind is None:
        return Links(index, step_id, ())
    fields = {f.encode_name for f in msgspec.structs.fields(kind)}
    targets: list[tuple[KeyPath, str]] = [((name,), item[name]) for name in TARGET_FIELDS
               if name in fields and _usable(item.get(name))]
    choices = item.get("choices") if kind is ChoiceStep else None
    if isinstance(choices, list):
        targets += [(("choices", i, "next"), c["next"]) for i, c in enumerate(choices)
                    if isinstance(c, dict) and _usable(c.get("next"))]
    return Links(index, step_id, tuple(targets))


def _step_ids(links: list[Links], at: At[Known]) -> dict[str, int]:
    """Each step id -> the index of its step; a repeated id is reported."""
    first: dict[str, int] = {}
    for step in links:
        if step.id is None:
            continue
        if step.id in first:
            line = at.line("steps", first[step.id])
            at.error(f"step id '{step.id}' is already used on line {line}; give each step its"
                     " own id.", "steps", step.index, "id")
        else:
            first[step.id] = step.index
    return first


def step_targets(step: Step) -> list[tuple[KeyPath, str]]:
    """Where the step can lead: (the field, the step id) for each next, yes, no, on_error,
    queued and choice."""
    found: list[tuple[KeyPath, str]] = []
    for name in TARGET_FIELDS:
        target = getattr(step, name, None)
        if isinstance(target, str):
            found.append(((name,), target))
    if isinstance(step, ChoiceStep):
        found += [(("choices", i, "next"), c.next) for i, c in enumerate(step.choices)]
    return found


def _targets_exist(links: list[Links], ids: dict[str, int], at: At[Known]) -> bool:
    ok = True
    for step in links:
        for where, target in step.targets:
            if target not in ids:
                at.error(f"there is no step '{target}'.{suggest(target, ids)}",
                         "steps", step.index, *where)
                ok = False
    return ok


def _start_exists(start: str, ids: dict[str, int], at: At[Known]) -> bool:
    if start in ids:
        return True
    at.error(f"there is no step '{start}'.{suggest(start, ids)} Name the first step here.",
             "start")
    return False


def _every_step_on_a_way(guide: GuideFile, links: list[Links], finishes: list[str],
                         at: At[Known]) -> None:
    forward = {s.id: [target for _where, target in s.targets] for s in links if s.id}
    backward: dict[str, list[str]] = {step_id: [] for step_id in forward}
    for source_id, targets in forward.items():
        for target in targets:
            backward[target].append(source_id)
    reached = _reach([guide.start], forward)
    can_finish = _reach(finishes, backward)
    for index, step in enumerate(guide.steps):
        if step.id not in reached:
            at.error("no step leads here, so nobody can reach it. Point a next, yes, no or"
                     " choice at it, or remove it.", "steps", index)
        elif step.id not in can_finish:
            at.error("there is no way from this step to a finish step, so the citizen would be"
                     " stuck. Lead it on to a finish step.", "steps", index)


def _reach(starts: list[str], neighbours: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(neighbours[current])
    return seen
