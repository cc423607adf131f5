"""The guide file format (the content author's reference) and the rules every guide must pass.

A guide is one YAML file, e.g. ``kiosk/guides/content/appointment.yaml``. Check your work with
``kiosk guides check FILE_OR_FOLDER``: every problem is reported as ``file:line: field 'x':
what is wrong and how to fix it``.

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

import difflib
import re
import string
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor

from kiosk.datafile import DataFileError, DataFileErrors
from kiosk.guides.model import STEP_KINDS, Choice, Guide, Step, StepKind

ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

GUIDE_REQUIRED = ("id", "title", "description", "icon_label", "start", "steps")
GUIDE_OPTIONAL = ("order",)
CHOICE_REQUIRED = ("id", "label", "next")
CHOICE_OPTIONAL = ("voice",)

# kind -> (required fields, optional fields); "id" and "kind" are required everywhere.
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "choice": (("prompt", "help", "choices"), ("store", "private")),
    "confirm": (("prompt", "help", "yes", "no"), ("store", "private")),
    "slot": (("prompt", "help", "source", "next", "empty"), ("store", "private")),
    "list": (("prompt", "help", "source", "next", "empty"), ("private",)),
    "number": (
        ("prompt", "help", "unit", "next"),
        ("minimum", "maximum", "decimals", "store", "private"),
    ),
    "text": (("prompt", "help", "next"), ("max_length", "store", "private", "masked")),
    "signin": (("next",), ("prompt", "help")),
    "action": (("action", "next"), ("prompt", "help", "on_error", "queued")),
    "finish": (("prompt",), ("help", "private", "qr")),
}
QR_SETTINGS = ("portal_url",)
"""Kiosk settings a finish step's ``qr`` may name: the address depends on where it runs."""
TARGET_FIELDS = ("next", "yes", "no", "on_error", "queued")
TEXT_FIELDS = ("prompt", "help", "unit", "empty")

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_CONSTRUCT = SafeConstructor()


class GuideError(DataFileError):
    """One problem in a guide file, pointing at the line and field to fix."""


class GuideErrors(DataFileErrors):
    """Every problem found in one or more guide files."""


def suggest(word: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'x'?' for the closest candidate, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a group of fields"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'"


def build_guide(
    root: yaml.Node | None,
    path: Path,
    known_sources: Collection[str] | None = None,
    known_actions: Collection[str] | None = None,
) -> tuple[Guide | None, list[GuideError]]:
    """Check a composed YAML document; return the Guide (None if anything is wrong) and errors.

    ``known_sources``/``known_actions`` are the names the services offer; None skips that check.
    """
    checker = _Checker(path, known_sources, known_actions)
    guide = checker.guide(root)
    return (None if checker.errors else guide), checker.errors


class _Checker:
    def __init__(
        self,
        path: Path,
        known_sources: Collection[str] | None,
        known_actions: Collection[str] | None,
    ) -> None:
        self.path = path
        self.known = {"source": known_sources, "action": known_actions}
        self.errors: list[GuideError] = []
        self.step_lines: dict[str, int] = {}
        """Every step id with a usable name, even of steps that have other errors."""
        self.links: list[tuple[str, yaml.Node, str]] = []
        """(field, value node, target id) of every next/yes/no/on_error and choice next."""
        self.links_ok = True
        """False once any link between steps could not be read."""
        self.key_lines: dict[int, int] = {}
        """id(value node) -> line of its field name."""

    def error(self, where: yaml.Node | int, field: str | None, message: str) -> None:
        # A field's value is reported on the line of its name: a block list starts a line
        # below "choices:", but the author looks for the field.
        line = where if isinstance(where, int) else self.key_lines.get(id(where), line_of(where))
        self.errors.append(GuideError(self.path, line, field, message))

    # -- generic field readers -------------------------------------------------------------

    def fields(
        self,
        node: yaml.Node,
        prefix: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        what: str,
    ) -> dict[str, yaml.Node]:
        """The mapping's value nodes by key, after reporting duplicate, unknown and missing keys."""
        found: dict[str, yaml.Node] = {}
        allowed = required + optional
        for key, value in node.value:
            name = str(key.value)
            field = f"{prefix}{name}"
            if name in found:
                self.error(key, field, f"appears twice in {what}; keep only one.")
            elif name not in allowed:
                self.error(
                    key,
                    field,
                    f"{what} has no field '{name}'.{suggest(name, allowed)}"
                    f" Allowed fields: {', '.join(allowed)}.",
                )
            else:
                found[name] = value
                self.key_lines[id(value)] = line_of(key)
        for name in required:
            if name not in found:
                self.error(node, f"{prefix}{name}", f"is missing; {what} needs it.")
                if name in (*TARGET_FIELDS, "choices"):
                    self.links_ok = False
        return found

    def text(
        self, node: yaml.Node, field: str, fix: str = "write a short sentence here."
    ) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, field, f"must be text, not {_describe(node)}.")
            return None
        value = "" if node.tag == _NULL else str(node.value)
        if not value.strip():
            self.error(node, field, f"is empty; {fix}")
            return None
        try:
            parts = list(string.Formatter().parse(value))
        except ValueError as exc:
            self.error(
                node, field,
                f"has a broken {{placeholder}} ({exc}). Close every '{{' with '}}';"
                " write '{{' or '}}' for a brace that is just text.",
            )
            return None
        for _literal, name, spec, conversion in parts:
            if name is not None and (not ID_PATTERN.match(name) or spec or conversion):
                self.error(
                    node, field,
                    f"placeholder '{{{name}}}' must be a plain name such as {{slot}}.",
                )
                return None
        return value.strip()

    def ident(self, node: yaml.Node, field: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            self.error(node, field, f"must be a name such as 'pick_time', not {_describe(node)}.")
            return None
        value = str(node.value)
        if not ID_PATTERN.match(value):
            self.error(
                node, field,
                f"'{value}' is not a usable name; use letters, digits and _ only,"
                " starting with a letter, like 'pick_time'.",
            )
            return None
        return value

    def number(self, node: yaml.Node, field: str) -> float | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT):
            return float(_CONSTRUCT.construct_yaml_float(node))
        self.error(node, field, f"must be a number such as 72 or 72.5, not {_describe(node)}.")
        return None

    def whole(self, node: yaml.Node, field: str, least: int) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
            value = int(_CONSTRUCT.construct_yaml_int(node))
            if value >= least:
                return value
            self.error(node, field, f"must be {least} or more, not {value}.")
            return None
        self.error(node, field, f"must be a whole number such as 3, not {_describe(node)}.")
        return None

    def flag(self, node: yaml.Node, field: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return bool(_CONSTRUCT.construct_yaml_bool(node))
        self.error(node, field, f"must be yes or no, not {_describe(node)}.")
        return None

    def address(self, node: yaml.Node, field: str) -> str | None:
        """An http(s) address; it may start with a setting's placeholder such as {portal_url}."""
        value = self.text(node, field, "write an address such as {portal_url} or https://…")
        if value is None:
            return None
        names = [n for _lit, n, _spec, _conv in string.Formatter().parse(value) if n]
        unknown = [n for n in names if n not in QR_SETTINGS]
        if unknown or (names and not value.startswith("{")):
            self.error(
                node, field,
                "only a kiosk setting may be filled in here, at the very start: "
                + ", ".join(f"{{{name}}}" for name in QR_SETTINGS) + ".",
            )
            return None
        parts = urlsplit(value.format_map(dict.fromkeys(QR_SETTINGS, "https://setting.invalid")))
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            self.error(
                node, field,
                f"'{value}' is not a web address; write one starting with https:// or a"
                " setting such as {portal_url}.",
            )
            return None
        return value

    def known_name(self, node: yaml.Node, field: str, kind: str) -> str | None:
        name = self.ident(node, field)
        known = self.known.get(kind)
        if name is not None and known is not None and name not in known:
            self.error(
                node, field,
                f"the services have no {kind} '{name}'.{suggest(name, known)}"
                f" Known: {', '.join(sorted(known)) or 'none'}.",
            )
            return None
        return name

    # -- the guide, its steps and choices ---------------------------------------------------

    def guide(self, root: yaml.Node | None) -> Guide | None:
        if root is None:
            self.error(1, None, f"the file is empty; a guide needs {', '.join(GUIDE_REQUIRED)}.")
            return None
        if not isinstance(root, yaml.MappingNode):
            self.error(root, None, "a guide must be a group of fields such as 'id: my_guide'.")
            return None
        found = self.fields(root, "", GUIDE_REQUIRED, GUIDE_OPTIONAL, "a guide")
        values: dict[str, Any] = {}
        for name in ("title", "description"):
            if name in found:
                values[name] = self.text(found[name], name)
        if "icon_label" in found:
            values["icon_label"] = self.text(
                found["icon_label"], "icon_label",
                "say in a few words what the tile's icon shows; it is read aloud.",
            )
        for name in ("id", "start"):
            if name in found:
                values[name] = self.ident(found[name], name)
        if "order" in found:
            values["order"] = self.whole(found["order"], "order", 0)
        steps: dict[str, Step] = {}
        if "steps" in found:
            steps = self.steps(found["steps"])
            self.check_links(steps, found.get("start"), found["steps"])
        if self.errors:
            return None
        return Guide(path=self.path, steps=steps, **values)

    def steps(self, node: yaml.Node) -> dict[str, Step]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, "steps", "must be a list of steps, each starting with '- id: ...'.")
            self.links_ok = False
            return {}
        steps: dict[str, Step] = {}
        for index, item in enumerate(node.value):
            step_id, step = self.step(item, index)
            if step_id is None:
                self.links_ok = False
            elif step_id in self.step_lines:
                self.error(
                    item, f"steps.{step_id}.id",
                    f"step id '{step_id}' is already used on line {self.step_lines[step_id]};"
                    " give each step its own id.",
                )
                self.links_ok = False
            else:
                self.step_lines[step_id] = line_of(item)
                if step is None:
                    self.links_ok = False
                else:
                    steps[step_id] = step
        return steps

    def step(self, node: yaml.Node, index: int) -> tuple[str | None, Step | None]:
        """The step's id (if usable) and the Step (None when anything about it is wrong)."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"steps[{index}]", "a step must be a group of fields: id, kind, ...")
            return None, None
        raw = {str(k.value): v for k, v in node.value}
        step_id = self.ident(raw["id"], f"steps[{index}].id") if "id" in raw else None
        prefix = f"steps.{step_id}." if step_id else f"steps[{index}]."
        kind_node = raw.get("kind")
        kind = str(kind_node.value) if isinstance(kind_node, yaml.ScalarNode) else ""
        if kind not in KIND_FIELDS:
            if kind_node is None:
                self.error(
                    node, f"{prefix}kind", f"is missing; use one of {', '.join(STEP_KINDS)}."
                )
            else:
                self.error(
                    kind_node, f"{prefix}kind",
                    f"{_describe(kind_node)} is not a step kind.{suggest(kind, STEP_KINDS)}"
                    f" Use one of: {', '.join(STEP_KINDS)}.",
                )
            return step_id, None
        required, optional = KIND_FIELDS[kind]
        found = self.fields(node, prefix, ("id", "kind", *required), optional, f"a {kind} step")
        values: dict[str, Any] = {}
        for name, value in found.items():
            field = prefix + name
            if name in ("id", "kind"):
                continue
            if name in TEXT_FIELDS:
                values[name] = self.text(value, field)
            elif name in TARGET_FIELDS:
                values[name] = self.link(value, field)
            elif name in ("source", "action"):
                values[name] = self.known_name(value, field, name)
            elif name == "store":
                values[name] = self.ident(value, field)
            elif name in ("minimum", "maximum"):
                values[name] = self.number(value, field)
            elif name == "decimals":
                values[name] = self.whole(value, field, 0)
            elif name == "max_length":
                values[name] = self.whole(value, field, 1)
            elif name in ("private", "masked"):
                values[name] = self.flag(value, field)
            elif name == "qr":
                values[name] = self.address(value, field)
            else:
                values[name] = self.choices(value, field)
        low, high = values.get("minimum"), values.get("maximum")
        if low is not None and high is not None and low > high:
            self.error(
                found["minimum"], f"{prefix}minimum",
                f"minimum {low:g} is larger than maximum {high:g}; swap them.",
            )
            return step_id, None
        if step_id is None or any(v is None for v in values.values()):
            return step_id, None
        step = Step(id=step_id, kind=cast(StepKind, kind), line=line_of(node), **values)
        return step_id, step

    def link(self, node: yaml.Node, field: str) -> str | None:
        """A step id another step leads to; remembered so it can be checked once all are read."""
        target = self.ident(node, field)
        if target is None:
            self.links_ok = False
        else:
            self.links.append((field, node, target))
        return target

    def choices(self, node: yaml.Node, field: str) -> tuple[Choice, ...] | None:
        if not isinstance(node, yaml.SequenceNode) or len(node.value) < 2:
            self.error(
                node, field,
                "must be a list of at least two choices (for a yes/no question use a"
                " confirm step).",
            )
            return None
        result: list[Choice] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(node.value):
            choice = self.choice(item, f"{field}[{index}]", field)
            if choice is None:
                continue
            if choice.id in seen:
                self.error(
                    item, f"{field}.{choice.id}.id",
                    f"choice id '{choice.id}' is already used on line {seen[choice.id]};"
                    " give each choice its own id.",
                )
                continue
            seen[choice.id] = line_of(item)
            result.append(choice)
        return None if len(result) < len(node.value) else tuple(result)

    def choice(self, node: yaml.Node, fallback: str, field: str) -> Choice | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, fallback, "a choice must be a group of fields: id, label, next.")
            return None
        raw = {str(k.value): v for k, v in node.value}
        choice_id = self.ident(raw["id"], f"{fallback}.id") if "id" in raw else None
        prefix = f"{field}.{choice_id}." if choice_id else f"{fallback}."
        found = self.fields(node, prefix, CHOICE_REQUIRED, CHOICE_OPTIONAL, "a choice")
        label = self.text(found["label"], prefix + "label") if "label" in found else None
        target = self.link(found["next"], prefix + "next") if "next" in found else None
        voice = self.voice(found["voice"], prefix + "voice") if "voice" in found else ()
        if choice_id is None or label is None or target is None or voice is None:
            return None
        return Choice(id=choice_id, label=label, next=target, voice=voice)

    def voice(self, node: yaml.Node, field: str) -> tuple[str, ...] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, field, "must be a list of words, like [book, new].")
            return None
        words = [self.text(item, field) for item in node.value]
        if any(w is None for w in words):
            return None
        return tuple(w for w in words if w is not None)

    # -- links between steps ---------------------------------------------------------------

    def check_links(
        self, steps: dict[str, Step], start: yaml.Node | None, steps_node: yaml.Node
    ) -> None:
        """Dangling targets, a missing start, no finish, unreachable and dead-end steps."""
        if not self.step_lines:
            return
        for field, node, target in self.links:
            if target not in self.step_lines:
                self.error(
                    node, field, f"there is no step '{target}'.{suggest(target, self.step_lines)}"
                )
                self.links_ok = False
        start_id = start.value if isinstance(start, yaml.ScalarNode) else None
        if start is not None and start_id not in self.step_lines:
            self.error(
                start, "start",
                f"there is no step '{start_id}'.{suggest(str(start_id), self.step_lines)}"
                " Name the first step here.",
            )
            self.links_ok = False
        finishes = [s.id for s in steps.values() if s.kind == "finish"]
        if self.links_ok and not finishes:
            self.error(
                steps_node, "steps",
                "the guide has no finish step; add a step with 'kind: finish' that says what"
                " happens next.",
            )
        # Reachability is only judged when every link could be read: otherwise one typo in
        # a `next` would also be reported as an unreachable step.
        if not (self.links_ok and start_id and finishes):
            return
        forward = {step_id: _targets(step) for step_id, step in steps.items()}
        backward: dict[str, list[str]] = {step_id: [] for step_id in steps}
        for source, targets in forward.items():
            for target in targets:
                backward[target].append(source)
        reached = _reach([start_id], forward)
        can_finish = _reach(finishes, backward)
        for step in steps.values():
            if step.id not in reached:
                self.error(
                    step.line, f"steps.{step.id}",
                    "no step leads here, so nobody can reach it. Point a next, yes, no or"
                    " choice at it, or remove it.",
                )
            elif step.id not in can_finish:
                self.error(
                    step.line, f"steps.{step.id}",
                    "there is no way from this step to a finish step, so the citizen would be"
                    " stuck. Lead it on to a finish step.",
                )


def _targets(step: Step) -> list[str]:
    """The ids of every step this step can lead to."""
    out = [getattr(step, f) for f in TARGET_FIELDS if getattr(step, f)]
    return out + [c.next for c in step.choices]


def _reach(starts: list[str], neighbours: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(neighbours[current])
    return seen
