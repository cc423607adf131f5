"""Reading the kiosk's declarative YAML files (guides, policy rules, health data, languages) into
typed models, so that every mistake names the file, the line and the field.

``read`` parses a file into a ``Document``: plain Python data (dict, list, str, int, float, bool,
None) and where each value came from, ``doc.lines[("steps", 3, "kind")] == 41``. ``load`` and
``check`` validate a document into a typed model (msgspec ``Struct`` classes), then run the
file's rules: small functions over the typed values, registered in a ``Rules`` and named in the
model with ``Annotated[..., Rule("name")]``. A ``Format`` words each problem the way that kind
of file always has; ``Says`` (also ``Annotated`` metadata) gives the words for one place.

msgspec stops at the first problem. To report every problem of a file at once, the validator
goes down into the part msgspec refused and checks its pieces one by one (unknown, repeated and
missing fields are its own checks; each value is again msgspec's). msgspec's message, e.g.
"Expected `int` >= 1 - at `$.steps[3].max_length`", becomes "guide.yaml:41: field
'steps.note.max_length': must be 1 or more, not 0.". A file without problems is validated by
one msgspec call, and its rules run once over the result.

YAML 1.1 reads an unquoted ``no``, ``yes`` or ``12`` as a boolean or a number. Keys are kept as
written (``no: pick_time``), and a value where the model wants text is taken as written too
(``label: No``), so authors need no quotes for either.
"""

from __future__ import annotations

import difflib
import functools
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union, get_args, get_origin

# msgspec, not pydantic: the kiosk reads its guides at every start, and start-up time is what
# a citizen waits for. Measured here, importing msgspec and validating a small struct costs
# ~26 ms; pydantic v2 ~106 ms.
import msgspec
import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

KeyPath = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and list indexes, e.g. ("steps", 3, "kind")."""

T = TypeVar("T")
C = TypeVar("C")
RuleFn = TypeVar("RuleFn", bound=Callable[..., None])


class DataFileError(ValueError):
    """One problem in a data file, pointing at the line and field to fix."""

    def __init__(self, path: Path | str, line: int, field: str | None, message: str) -> None:
        super().__init__(path, line, field, message)
        self.path = Path(path)
        self.line = line
        """1-based; 0 when the problem is the whole file (e.g. it cannot be read)."""
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        if self.field:
            return f"{where}: field '{self.field}': {self.message}"
        return f"{where}: {self.message}"


class DataFileErrors(ValueError):
    """Every problem found in one or more data files."""

    def __init__(self, errors: Iterable[DataFileError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def suggest(word: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'x'?' for the closest candidate, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


# -- reading ---------------------------------------------------------------------------------

_LIBYAML: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _FastLoader(_LIBYAML):
    """libyaml, where PyYAML was built with it: the kiosk reads its guides and the demo's data at
    every start, and the pure-Python reader is most of that time. libyaml still asks Python
    what each plain scalar is (text, a number, yes/no); the answers for short ones are kept,
    as the same keys and words come back on every line (a quarter of the reading time)."""

    _tags: ClassVar[dict[str, str]] = {}
    _typed_starts: ClassVar[frozenset[str | None]] = frozenset(Resolver.yaml_implicit_resolvers)
    """The first characters of anything YAML may read as other than text (PyYAML looks its
    resolvers up by the first character)."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR  # quoted
            if value[:1] not in self._typed_starts and None not in self._typed_starts:
                return _STR  # "Please type…": no resolver starts with P
            tag = self._tags.get(value)
            if tag is None:
                tag = Resolver.resolve(self, kind, value, implicit)
                if len(value) <= 64 and len(self._tags) < 10_000:
                    self._tags[value] = tag
            return tag
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers here."""

    def ascend_resolver(self) -> None:
        """No path resolvers here."""


_FAST_LOADER: Any = _FastLoader


def _default_hint(problem: str) -> str:
    return "Check the indentation and the ':' after each field name on this line and above."


def _compose(
    path: Path, error: type[DataFileError],
    syntax: Callable[[Path, int, str, str | None], DataFileError],
) -> yaml.Node | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(path, 0, None, "the file is not UTF-8 text; save it as UTF-8.") from None
    except OSError as exc:
        raise error(path, 0, None, f"cannot read the file ({exc.strerror}).") from None
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass  # read it again below, for the error messages the hints know
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise syntax(path, line, exc.problem or "unreadable YAML", exc.context) from None
    except yaml.YAMLError as exc:
        raise syntax(path, 1, str(exc), None) from None


def compose_yaml(
    path: Path, *, error: type[DataFileError] = DataFileError,
    hint: Callable[[str], str] = _default_hint,
) -> yaml.Node | None:
    """The file's YAML node tree (None when empty); a reading problem is raised as ``error``,
    with ``hint(problem)`` telling how to fix broken YAML."""
    def syntax(where: Path, line: int, problem: str, context: str | None) -> DataFileError:
        said = _said(problem, context)
        return error(where, line, None, f"YAML syntax: {said}. {hint(said)}")

    return _compose(path, error, syntax)


def _said(problem: str, context: str | None) -> str:
    """PyYAML's problem, after what it was reading when it met it."""
    return f"{context}, {problem}" if context else problem


_CONSTRUCT = SafeConstructor()
_SCALARS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _CONSTRUCT.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCT.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCT.construct_yaml_float,
}
"""What YAML reads as other than text. Every other scalar (dates too) stays the text as written."""


class Document:
    """One parsed data file: its plain data, and where each value came from."""

    def __init__(self, path: Path, root: yaml.Node | None) -> None:
        self.path = Path(path)
        self.root = root
        self.duplicates: dict[KeyPath, list[int]] = {}
        """The path of every key given more than once -> the lines of its repeats (the data
        holds the first)."""
        self.typed: list[KeyPath] = []
        """Every scalar YAML read as other than text (a number, yes/no, null)."""
        self.nulls = 0
        """How many of them are null (``field:`` with nothing after it)."""
        self.data: Any = None if root is None else self._plain(root, ())
        self.lines: Mapping[KeyPath, int] = Lines(root)
        """Key path -> line: a field's is the line of its name, a list item's the line it
        starts on."""

    def _plain(self, node: yaml.Node, path: KeyPath) -> Any:
        kind = type(node)
        if kind is yaml.MappingNode:
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)  # as written: `no:` is the key "no"
                if key in out:
                    self.duplicates.setdefault((*path, key), []).append(
                        key_node.start_mark.line + 1)
                elif type(value_node) is yaml.ScalarNode and value_node.tag == _STR:
                    out[key] = value_node.value
                else:
                    out[key] = self._plain(value_node, (*path, key))
            return out
        if kind is yaml.SequenceNode:
            return [
                item.value if type(item) is yaml.ScalarNode and item.tag == _STR
                else self._plain(item, (*path, index))
                for index, item in enumerate(node.value)
            ]
        construct = _SCALARS.get(node.tag)
        if construct is None or not isinstance(node, yaml.ScalarNode):
            return node.value
        try:
            value = construct(node)
        except ValueError:  # an explicit tag on text that is not one, e.g. "!!int many"
            return node.value
        self.typed.append(path)
        self.nulls += value is None
        return value

    def node(self, path: KeyPath) -> yaml.Node | None:
        """The YAML node of the value at path (the first, for a key given twice)."""
        found = _find(self.root, path)
        return None if found is None else found[0]

    def line(self, path: KeyPath) -> int:
        """The line of path (its field name's line), or of the nearest enclosing value."""
        for end in range(len(path), -1, -1):
            found = _find(self.root, path[:end])
            if found is not None:
                node, key = found
                return (key or node).start_mark.line + 1
        return 1

    def node_line(self, path: KeyPath) -> int:
        """The line the value at path starts on (for a block mapping: its first field's)."""
        for end in range(len(path), -1, -1):
            node = self.node(path[:end])
            if node is not None:
                return node.start_mark.line + 1
        return 1

    def raw(self, path: KeyPath) -> str | None:
        """A scalar value as written in the file (``yes``, ``12``, ``''`` for nothing)."""
        node = self.node(path)
        return str(node.value) if isinstance(node, yaml.ScalarNode) else None

    def key_typed(self, path: KeyPath) -> bool:
        """Whether YAML reads the key at path as other than text, e.g. an unquoted ``NO``."""
        found = _find(self.root, path)
        key = None if found is None else found[1]
        return key is not None and key.tag != _STR


def _find(root: yaml.Node | None, path: KeyPath) -> tuple[yaml.Node, yaml.Node | None] | None:
    """The node at path and the key node naming it (None for a list item or the root)."""
    if root is None:
        return None
    node, key = root, None
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next(((k, v) for k, v in node.value if str(k.value) == part), None)
            if pair is None:
                return None
            key, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and (
                0 <= part < len(node.value)):
            key, node = None, node.value[part]
        else:
            return None
    return node, key


class Lines(Mapping[KeyPath, int]):
    """A document's key path -> line map, looked up in the YAML nodes when asked, so reading a
    file that has no problems costs nothing for it."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def __getitem__(self, path: KeyPath) -> int:
        found = _find(self._root, path)
        if found is None:
            raise KeyError(path)
        node, key = found
        return (key or node).start_mark.line + 1

    def __iter__(self) -> Iterator[KeyPath]:
        def walk(node: yaml.Node, path: KeyPath) -> Iterator[KeyPath]:
            yield path
            if isinstance(node, yaml.MappingNode):
                seen: set[str] = set()
                for key, value in node.value:
                    if str(key.value) not in seen:
                        seen.add(str(key.value))
                        yield from walk(value, (*path, str(key.value)))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    yield from walk(item, (*path, index))

        if self._root is not None:
            yield from walk(self._root, ())

    def __len__(self) -> int:
        return sum(1 for _ in self)


# -- what a model says about its places --------------------------------------------------------


@dataclass(frozen=True)
class Says:
    """How a file words a wrong value at one place of its model (``Annotated`` metadata).
    In the texts, ``{shown}`` is the value described ('72', a list, a group of fields) and
    ``{value}`` the value as written."""

    wrong: str
    """The value has the wrong type, or is none of the values allowed."""
    bad: str | None = None
    """It has the right type but breaks a limit (a pattern, a range, a length)."""
    null: str | None = None
    """Nothing is written (``field:`` alone)."""
    twice: str | None = None
    """A mapping's key is given twice; ``{first}`` is the line of the first."""


class Rule:
    """A rule every value at this place must pass (``Annotated`` metadata): the name of a
    function registered in the file's ``Rules``, and keyword arguments for it."""

    def __init__(self, name: str, **params: str) -> None:
        self.name = name
        self.params: tuple[tuple[str, str], ...] = tuple(sorted(params.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and (self.name, self.params) == (other.name, other.params)

    def __hash__(self) -> int:
        return hash((self.name, self.params))

    def __repr__(self) -> str:
        return f"Rule({self.name!r}, **{dict(self.params)!r})"


STRUCT, UNION, LIST, DICT, LEAF = "struct", "union", "list", "dict", "leaf"


@dataclass(eq=False)
class Field:
    attr: str
    name: str
    """As written in the file (msgspec's encode name)."""
    shape: Shape
    required: bool


@dataclass(eq=False)
class StructInfo:
    cls: type[msgspec.Struct]
    fields: dict[str, Field]
    """By name as written in the file, in the order the class declares them."""
    allowed: tuple[str, ...]
    """Every field name a file may write, the tag (e.g. ``kind``) after the base class's."""
    tag_field: str | None
    tag: Any

    @property
    def noun(self) -> str:
        """How the format names one of these, e.g. "a confirm step" (the class's ``noun``)."""
        return str(getattr(self.cls, "noun", "a group of fields"))

    @property
    def required(self) -> list[str]:
        return [name for name, field in self.fields.items() if field.required]


@dataclass(eq=False)
class Shape:
    """One place of a model as the validator walks it: a Struct, a tagged union of Structs, a
    list, a mapping or a single value, with what the model says about it."""

    kind: str
    annotation: Any
    says: Says | None = None
    rules: tuple[Rule, ...] = ()
    nullable: bool = False
    struct: StructInfo | None = None
    tag_field: str | None = None
    variants: dict[Any, Shape] | None = None
    item: Shape | None = None
    """A list's items, a mapping's values, or the list a single value may also be."""
    key: Shape | None = None
    container: Callable[[Any], Any] = list
    accepts: frozenset[type] = frozenset()
    """The Python types this place takes (where text is taken, a number or yes/no from YAML
    becomes the text as written)."""


_SHAPES: dict[Any, Shape] = {}
_STRUCTS: dict[type, StructInfo] = {}


def shape_of(annotation: Any) -> Shape:
    """The Shape of a type (cached)."""
    try:
        return _SHAPES[annotation]
    except KeyError:
        shape = _SHAPES[annotation] = _build_shape(annotation)
        return shape
    except TypeError:  # an unhashable annotation
        return _build_shape(annotation)


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _build_shape(annotation: Any) -> Shape:
    says: Says | None = None
    rules: list[Rule] = []
    inner = annotation
    while get_origin(inner) is Annotated:
        base, *meta = get_args(inner)
        for item in meta:
            if isinstance(item, Says) and says is None:
                says = item
            elif isinstance(item, Rule):
                rules.append(item)
        inner = base
    origin = get_origin(inner)
    common: dict[str, Any] = {"annotation": annotation, "says": says, "rules": tuple(rules)}
    if origin is Union or origin is types.UnionType:
        members = [m for m in get_args(inner) if m is not type(None)]
        nullable = len(members) < len(get_args(inner))
        if len(members) == 1:
            one = shape_of(members[0])
            return Shape(**{**one.__dict__, **common, "says": says or one.says,
                            "rules": (*one.rules, *rules), "nullable": nullable})
        if all(_is_struct(m) for m in members):
            variants = {_struct_info(m).tag: shape_of(m) for m in members}
            tag_field = _struct_info(members[0]).tag_field
            return Shape(UNION, **common, nullable=nullable, tag_field=tag_field,
                         variants=variants, accepts=frozenset({dict}))
        accepts: set[type] = set()
        listed: Shape | None = None
        for member in members:
            part = shape_of(member)
            if part.kind == LIST:
                listed = part
            accepts |= part.accepts
        return Shape(LEAF, **common, nullable=nullable, item=listed, accepts=frozenset(accepts))
    if _is_struct(inner):
        return Shape(STRUCT, **common, struct=_struct_info(inner), accepts=frozenset({dict}))
    if origin in (list, tuple, Sequence) or inner in (list, tuple):
        args = get_args(inner)
        return Shape(LIST, **common, item=shape_of(args[0] if args else Any),
                     container=tuple if origin is tuple else list, accepts=frozenset({list}))
    if origin in (dict, Mapping) or inner is dict:
        key, value = get_args(inner) or (str, Any)
        return Shape(DICT, **common, key=shape_of(key), item=shape_of(value), container=dict,
                     accepts=frozenset({dict}))
    if origin is Literal:
        return Shape(LEAF, **common, accepts=frozenset(type(v) for v in get_args(inner)))
    if inner is float:
        return Shape(LEAF, **common, accepts=frozenset({float, int}))
    if inner is Any:
        return Shape(LEAF, **common, accepts=frozenset({str, int, float, bool, dict, list}))
    return Shape(LEAF, **common, accepts=frozenset({inner}) if isinstance(inner, type) else
                 frozenset())


def _struct_info(cls: type[msgspec.Struct]) -> StructInfo:
    info = _STRUCTS.get(cls)
    if info is not None:
        return info
    config = cls.__struct_config__
    base = next((b for b in cls.__mro__[1:] if _is_struct(b) and b is not msgspec.Struct), None)
    inherited = set(getattr(base, "__struct_fields__", ()))
    # Registered before its fields are, so a Struct may hold itself.
    info = _STRUCTS[cls] = StructInfo(cls, {}, (), config.tag_field, config.tag)
    for name, encoded, annotation, required in _fields(cls):
        info.fields[encoded] = Field(name, encoded, shape_of(annotation), required)
    names = list(info.fields)
    first = [n for n in names if info.fields[n].attr in inherited and info.fields[n].required]
    # The base's optional fields (a guide step's staff_hint) after the class's own.
    last = [n for n in names if info.fields[n].attr in inherited and n not in first]
    rest = [n for n in names if n not in first and n not in last]
    info.allowed = (*first, *([info.tag_field] if info.tag_field else []), *rest, *last)
    return info


def _fields(cls: type[msgspec.Struct]) -> Iterator[tuple[str, str, Any, bool]]:
    """(name, name in the file, type, required) of each field. Read from the class as it is
    when its annotations are types (a model module without ``from __future__ import
    annotations``), which spares evaluating them at the kiosk's first start."""
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    names = cls.__struct_fields__
    if any(isinstance(annotations.get(name), str) for name in names):
        for item in msgspec.structs.fields(cls):
            required = (item.default is msgspec.NODEFAULT
                        and item.default_factory is msgspec.NODEFAULT)
            yield item.name, item.encode_name, item.type, required
        return
    defaults = cls.__struct_defaults__
    first_default = len(names) - len(defaults)
    for index, (name, encoded) in enumerate(zip(names, cls.__struct_encode_fields__,
                                                strict=True)):
        # A keyword-only field may be required after optional ones: msgspec gives it NODEFAULT.
        required = index < first_default or defaults[index - first_default] is msgspec.NODEFAULT
        yield name, encoded, annotations[name], required


# -- rules -----------------------------------------------------------------------------------


class Rules(Generic[C]):
    """The rules of one kind of file: small functions over its typed values, each given the
    value and an ``At`` to report problems through. ``@rules.check(SomeStruct)`` runs on every
    SomeStruct read; ``@rules.check("name")`` wherever the model says ``Rule("name")``;
    ``@rules.unbuilt(SomeStruct)`` on the data as read of a SomeStruct that has other problems,
    to report what can still be known (e.g. links to no step in a guide with a typo)."""

    def __init__(self) -> None:
        self.by_class: dict[type, list[Callable[..., None]]] = {}
        self.by_name: dict[str, Callable[..., None]] = {}
        self.on_unbuilt: dict[type, list[Callable[[dict[str, Any], At[C]], None]]] = {}
        self._has: dict[Shape, bool] = {}
        self._plans: dict[Shape, _Plan | None] = {}

    def unbuilt(self, target: type) -> Callable[[RuleFn], RuleFn]:
        def register(function: RuleFn) -> RuleFn:
            self.on_unbuilt.setdefault(target, []).append(function)
            return function

        return register

    def check(self, target: type | str) -> Callable[[RuleFn], RuleFn]:
        def register(function: RuleFn) -> RuleFn:
            if isinstance(target, str):
                self.by_name[target] = function
            else:
                self.by_class.setdefault(target, []).append(function)
            self._has.clear()
            self._plans.clear()
            return function

        return register

    def apply_here(self, value: Any, shape: Shape, at: At[C]) -> None:
        """The rules of this one place (and of the value's class, for a Struct)."""
        for function in self._here(shape):
            function(value, at)

    def plan(self, shape: Shape) -> _Plan | None:
        """How to run the rules at and below a place over a valid value, worked out once per
        place (None: no rule applies there)."""
        if shape in self._plans:
            return self._plans[shape]
        if not self.any_below(shape):
            self._plans[shape] = None
            return None
        later: list[_Plan] = []  # a Struct that holds itself runs the plan being made
        self._plans[shape] = lambda run, value, data, path: later[0](run, value, data, path)
        plan = self._compile(shape)
        later.append(plan)
        self._plans[shape] = plan
        return plan

    def _here(self, shape: Shape | None) -> list[Callable[[Any, At[C]], None]]:
        """The rules of one place: its class's (a Struct's) and the ones the model names."""
        if shape is None:
            return []
        found: list[Callable[[Any, At[C]], None]] = []
        if shape.kind == STRUCT and shape.struct is not None:
            found += self.by_class.get(shape.struct.cls, [])
        for rule in shape.rules:
            function = self.by_name[rule.name]
            found.append(functools.partial(function, **dict(rule.params)) if rule.params
                         else function)
        return found

    def _compile(self, shape: Shape) -> _Plan:
        here = self._here(shape)
        below: Callable[[_Run[C], Any, Any, KeyPath], None] | None = None
        if shape.kind == UNION:
            variants = {v.struct.cls: self.plan(v) for v in (shape.variants or {}).values()
                        if v.struct is not None}

            def below(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
                variant = variants.get(type(value))
                if variant is not None:
                    variant(run, value, data, path)

        elif shape.kind == STRUCT and shape.struct is not None:
            fields = [(name, field.attr, inner) for name, field in shape.struct.fields.items()
                      if (inner := self.plan(field.shape)) is not None]

            def below(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
                if isinstance(data, dict):
                    for name, attr, inner in fields:
                        if name in data:
                            item = getattr(value, attr)
                            if item is not None:
                                inner(run, item, data[name], (*path, name))

        elif shape.item is not None and shape.kind in (LIST, LEAF):
            listed = shape if shape.kind == LIST else shape.item
            items = self.plan(listed.item) if listed.item is not None else None

            def below(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
                if items is not None and isinstance(data, list) and not isinstance(value, str):
                    for index, item in enumerate(value):
                        if item is not None:
                            items(run, item, data[index], (*path, index))

        elif shape.kind == DICT:
            keys = self._here(shape.key)
            values = self.plan(shape.item) if shape.item is not None else None

            def below(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
                if not isinstance(data, dict):
                    return
                for key, item in data.items():
                    if keys:
                        at = At(run, (*path, key), is_key=True)
                        for function in keys:
                            function(key, at)
                    if values is not None and value[key] is not None:
                        values(run, value[key], item, (*path, key))

        if below is None and len(here) == 1:  # a single value with its rule: most of them
            only = here[0]

            def run_rule(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
                only(value, At(run, path))

            return run_rule

        def run_rules(run: _Run[C], value: Any, data: Any, path: KeyPath) -> None:
            if below is not None:
                below(run, value, data, path)
            if here:
                at = At(run, path)
                for function in here:
                    function(value, at)

        return run_rules

    def any_below(self, shape: Shape) -> bool:
        """Whether any rule applies at or below this place (to skip what has none)."""
        known = self._has.get(shape)
        if known is not None:
            return known
        self._has[shape] = False  # a Struct that holds itself
        found = bool(shape.rules) or (shape.kind == STRUCT and shape.struct is not None
                                      and shape.struct.cls in self.by_class)
        children: list[Shape] = []
        if shape.struct is not None:
            children += [f.shape for f in shape.struct.fields.values()]
        children += list((shape.variants or {}).values())
        children += [s for s in (shape.item, shape.key) if s is not None]
        found = found or any(self.any_below(child) for child in children)
        self._has[shape] = found
        return found


_Plan = Callable[["_Run[Any]", Any, Any, KeyPath], None]
"""Runs the rules at and below one place: (the run, the typed value, the data as read, where)."""

_LABEL: Any = object()
"""``At.error``'s default field: the label the Format gives the path."""


class At(Generic[C]):
    """Where a rule (or a Format) looks: the document, the key path, and what the loader knows
    (``context``). ``error`` reports a problem at this place or one below it."""

    __slots__ = ("_run", "is_key", "path")

    def __init__(self, run: _Run[C], path: KeyPath, *, is_key: bool = False) -> None:
        self._run = run
        self.path = path
        self.is_key = is_key
        """The value here is a mapping's key (as written), not the value under it."""

    @property
    def doc(self) -> Document:
        return self._run.doc

    @property
    def context(self) -> C:
        return self._run.context

    def below(self, *sub: str | int) -> At[C]:
        return At(self._run, (*self.path, *sub))

    def error(self, message: str, *sub: str | int, field: str | None = _LABEL,
              line: int | None = None) -> None:
        path = (*self.path, *sub)
        self._run.report(path, message, field=self.label(*sub) if field is _LABEL else field,
                         line=line)

    def line(self, *sub: str | int) -> int:
        return self._run.fmt.line(self.doc, (*self.path, *sub))

    def label(self, *sub: str | int) -> str | None:
        return self._run.fmt.label(self.doc, (*self.path, *sub), self._run.shape)

    def value(self) -> Any:
        """The value here as read (plain data)."""
        data = self.doc.data
        for part in self.path:
            data = _get(data, part)
        return data

    def written(self, value: Any) -> str:
        """The value as written in the file (a key as it is)."""
        raw = None if self.is_key else self.doc.raw(self.path)
        return str(value) if raw is None else raw


# -- how a kind of file words its problems -------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Format:
    """How one kind of data file words its problems. The defaults are the guides' and the
    policy's wording; a file kind overrides what it says otherwise."""

    error: type[DataFileError] = DataFileError
    field_lines = True
    """A value's problem is reported on its field name's line (else on the line the value
    starts on)."""

    def syntax(self, path: Path, line: int, problem: str, context: str | None) -> DataFileError:
        """Broken YAML: PyYAML's ``problem`` on ``line``, met while reading ``context``."""
        said = _said(problem, context)
        return self.error(path, line, None, f"YAML syntax: {said}. {self.hint(said)}")

    def hint(self, problem: str) -> str:
        """How to fix broken YAML."""
        return _default_hint(problem)

    def empty(self, at: At[Any], shape: Shape) -> None:
        at.error("the file is empty.", field=None, line=1)

    def not_a_mapping(self, at: At[Any], shape: Shape, value: Any) -> None:
        if shape.says is not None:
            self.invalid(at, shape, value, "")
            return
        noun = shape.struct.noun if shape.struct else "a group of fields"
        at.error(f"must be {noun}, not {self.shown(at, value)}.")

    def unknown_field(self, at: At[Any], shape: Shape, name: str) -> None:
        info = shape.struct
        assert info is not None
        at.error(f"{info.noun} has no field '{name}'.{suggest(name, info.allowed)}"
                 f" Allowed fields: {', '.join(info.allowed)}.", name)

    def duplicate(self, at: At[Any], shape: Shape, line: int) -> None:
        """A key given twice: ``at`` is the key's path, ``shape`` the mapping's."""
        if shape.says is not None and shape.says.twice:
            at.error(shape.says.twice.replace("{first}", str(at.doc.line(at.path))), line=line)
        elif shape.struct is not None:
            at.error(f"appears twice in {shape.struct.noun}; keep only one.", line=line)
        else:
            at.error("appears twice; keep only one.", line=line)

    def missing(self, at: At[Any], shape: Shape, name: str) -> None:
        noun = shape.struct.noun if shape.struct else "it"
        at.error(f"is missing; {noun} needs it.", name, line=at.line())

    def missing_tag(self, at: At[Any], shape: Shape) -> None:
        at.error("is missing.", shape.tag_field or "", line=at.line())

    def unknown_tag(self, at: At[Any], shape: Shape, value: Any) -> None:
        tags = [str(t) for t in shape.variants or {}]
        at.error(f"{self.shown(at, value)} is not one of {', '.join(tags)}."
                 f"{suggest(str(value), tags)}")

    def invalid(self, at: At[Any], shape: Shape, value: Any, problem: str) -> None:
        """A value msgspec refused; ``problem`` is msgspec's message (without where)."""
        says = shape.says
        if says is None:
            at.error(problem[0].lower() + problem[1:] if problem else "is not valid.")
            return
        text = says.wrong
        if (value is None or value is NOTHING) and says.null is not None:
            text = says.null
        elif says.bad is not None and _is_limit(problem):
            text = says.bad
        at.error(text.replace("{shown}", self.shown(at, value))
                 .replace("{value}", at.written(value)))

    def shown(self, at: At[Any], value: Any) -> str:
        if isinstance(value, dict):
            return "a group of fields"
        if isinstance(value, list):
            return "a list"
        return f"'{at.written(value)}'"

    def line(self, doc: Document, path: KeyPath) -> int:
        return doc.line(path) if self.field_lines else doc.node_line(path)

    def label(self, doc: Document, path: KeyPath, root: Shape) -> str | None:
        """Fields as ``steps.sure.yes``: a list item by its ``id`` when it has a usable one,
        else by its place (``steps[1]``); a word of a list of words by the list's name."""
        parts: list[str] = []
        data, shape = doc.data, root
        for part in path:
            child = _child(shape, data, part)
            if isinstance(part, str):
                parts.append(part)
            else:
                item = data[part] if isinstance(data, list) and 0 <= part < len(data) else None
                record = child is not None and child.kind in (STRUCT, UNION)
                ident = item.get("id") if isinstance(item, dict) else None
                if record and isinstance(ident, str) and _NAME.match(ident):
                    parts.append(ident)
                elif record or child is None:
                    parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
            data = _get(data, part)
            shape = child if child is not None else Shape(LEAF, Any)
        return ".".join(parts) or None


def _is_limit(problem: str) -> bool:
    """msgspec says the value has the right type but breaks a limit of its place (a pattern,
    a range, a length, the values allowed)."""
    if problem.startswith("Invalid enum value"):
        return True
    return problem.startswith("Expected `") and ", got `" not in problem


def _get(data: Any, part: str | int) -> Any:
    if isinstance(data, dict) and isinstance(part, str):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _variant(shape: Shape, data: Any) -> Shape | None:
    if not isinstance(data, dict) or shape.tag_field is None:
        return None
    tag = data.get(shape.tag_field)
    try:
        return (shape.variants or {}).get(tag)
    except TypeError:  # a list or mapping where the tag should be
        return None


def _child(shape: Shape, data: Any, part: str | int) -> Shape | None:
    """The shape one step below ``shape`` (whose value is ``data``), or None if it has none."""
    if shape.kind == UNION:
        if part == shape.tag_field:
            return Shape(LEAF, str, accepts=frozenset({str}))
        variant = _variant(shape, data)
        if variant is None:
            return None
        shape = variant
    if shape.kind == STRUCT and shape.struct is not None and isinstance(part, str):
        field = shape.struct.fields.get(part)
        return None if field is None else field.shape
    if isinstance(part, int) and shape.item is not None and shape.kind in (LIST, LEAF):
        return shape.item if shape.kind == LIST else shape.item.item
    if shape.kind == DICT and isinstance(part, str):
        return shape.item
    return None


# -- validating --------------------------------------------------------------------------------

class _Nothing:
    """A field written with nothing after it, where the model's None means "left out"."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()

_WHERE = re.compile(r" - at (`key` in )?`\$[^`]*`\Z")
"""msgspec's "where": `$.steps[3].kind`, or `key` in `$.countries` for a mapping's key."""


class _Run(Generic[C]):
    """One validation of one document."""

    def __init__(self, doc: Document, shape: Shape, fmt: Format, rules: Rules[C],
                 context: C) -> None:
        self.doc, self.shape, self.fmt, self.rules, self.context = doc, shape, fmt, rules, context
        self.errors: list[DataFileError] = []

    def report(self, path: KeyPath, message: str, *, field: str | None,
               line: int | None) -> None:
        where = self.fmt.line(self.doc, path) if line is None else line
        self.errors.append(self.fmt.error(self.doc.path, where, field, message))

    def run(self) -> Any:
        doc = self.doc
        if doc.root is None:
            self.fmt.empty(At(self, ()), self.shape)
            return None
        if not (doc.nulls or doc.duplicates):  # the common case: one msgspec call
            try:
                built = msgspec.convert(doc.data, self.shape.annotation)
            except msgspec.ValidationError:
                pass  # maybe text YAML read as yes/no or a number: fix that, then look closer
            else:
                self.apply(built, doc.data, self.shape, ())
                return built
        self.fix()
        ok, value = self.value(doc.data, self.shape, ())
        return value if ok else None

    # Text where YAML read a number or yes/no -------------------------------------------------

    def fix(self) -> None:
        """Where the model takes text and YAML read ``No`` or ``12``, the text as written; a
        tag that is yes or no in the model takes any YAML boolean; an optional field written
        with nothing after it (``until:``) is refused like a wrong value, not taken as left
        out."""
        for path in self.doc.typed:
            data, shape = self.doc.data, self.shape
            for depth, part in enumerate(path):
                if shape.kind == UNION:
                    self.fix_tag(shape, data, path[:depth])
                last = depth == len(path) - 1
                if last and shape.kind == UNION and part == shape.tag_field:
                    break
                child = _child(shape, data, part)
                if child is None:
                    break
                if last:
                    value = _get(data, part)
                    if value is None and child.nullable:
                        data[part] = NOTHING  # None means "left out", never "written empty"
                    elif (value is not None and type(value) not in child.accepts
                            and str in child.accepts):
                        data[part] = self.doc.raw(path)
                    break
                data, shape = _get(data, part), child

    def fix_tag(self, shape: Shape, data: Any, path: KeyPath) -> None:
        field = shape.tag_field
        if field is None or not isinstance(data, dict) or field not in data:
            return
        tag = data[field]
        if isinstance(tag, bool) and set(shape.variants or ()) == {"yes", "no"}:
            data[field] = "yes" if tag else "no"
        elif tag is not None and not isinstance(tag, str | dict | list):
            data[field] = self.doc.raw((*path, field))

    # The walk --------------------------------------------------------------------------------

    def value(self, data: Any, shape: Shape, path: KeyPath) -> tuple[bool, Any]:
        """Validate data at path: (whether it is valid, the typed value). Rules run on every
        part that is valid, even when something around it is not."""
        problem = ""
        if not self.repeats_below(path):
            try:
                built = msgspec.convert(data, shape.annotation)
            except msgspec.ValidationError as exc:
                problem = str(exc)
            else:
                self.apply(built, data, shape, path)
                return True, built
        return self.descend(data, shape, path, problem)

    def repeats_below(self, path: KeyPath) -> bool:
        """Whether a mapping at or below path has a key given twice (msgspec never sees it)."""
        size = len(path)
        return any(len(repeat) > size and repeat[:size] == path
                   for repeat in self.doc.duplicates)

    def descend(self, data: Any, shape: Shape, path: KeyPath, problem: str) -> tuple[bool, Any]:
        at = At(self, path)
        where = _WHERE.search(problem)
        here = where is None or (where.group(0).endswith("`$`") and not where.group(1))
        message = _WHERE.sub("", problem)
        if shape.kind == UNION:
            return self.union(data, shape, path)
        if shape.kind == STRUCT:
            return self.struct(data, shape, path)
        listed = shape if shape.kind == LIST else shape.item if shape.kind == LEAF else None
        if isinstance(data, list) and listed is not None and not (problem and here):
            return self.items(data, shape, listed, path)
        if shape.kind == DICT and isinstance(data, dict) and not (problem and here):
            return self.entries(data, shape, path)
        self.fmt.invalid(at, shape, data, message)
        return False, None

    def struct(self, data: Any, shape: Shape, path: KeyPath) -> tuple[bool, Any]:
        info = shape.struct
        assert info is not None
        at = At(self, path)
        if not isinstance(data, dict):
            self.fmt.not_a_mapping(at, shape, data)
            return False, None
        ok = True
        # Unknown and repeated fields in the order they are written, then the missing ones.
        keyed: list[tuple[int, str, bool]] = []  # (line, key, repeated)
        for key in data:
            if key not in info.fields and key != info.tag_field:
                keyed.append((self.doc.line((*path, key)), key, False))
            keyed += [(line, key, True) for line in self.doc.duplicates.get((*path, key), ())]
        for line, key, repeated in sorted(keyed, key=lambda k: k[0]):
            if repeated:
                self.fmt.duplicate(at.below(key), shape, line)
            else:
                self.fmt.unknown_field(at, shape, key)
            ok = False
        for name in info.required:
            if name not in data:
                self.fmt.missing(at, shape, name)
                ok = False
        values: dict[str, Any] = {}
        for name, field in info.fields.items():
            if name in data:
                valid, value = self.value(data[name], field.shape, (*path, name))
                values[field.attr] = value
                ok = ok and valid
        if not ok:
            for function in self.rules.on_unbuilt.get(info.cls, ()):
                function(data, at)
            return False, None
        built = info.cls(**values)
        self.rules.apply_here(built, shape, at)
        return True, built

    def union(self, data: Any, shape: Shape, path: KeyPath) -> tuple[bool, Any]:
        at = At(self, path)
        if not isinstance(data, dict):
            self.fmt.not_a_mapping(at, shape, data)
            return False, None
        if shape.tag_field not in data:
            self.fmt.missing_tag(at, shape)
            return False, None
        variant = _variant(shape, data)
        if variant is None:
            tag = shape.tag_field or ""
            self.fmt.unknown_tag(at.below(tag), shape, data[tag])
            return False, None
        ok, built = self.struct(data, variant, path)
        if ok:
            self.rules.apply_here(built, shape, at)
        return ok, built

    def items(self, data: list[Any], shape: Shape, listed: Shape, path: KeyPath,
              ) -> tuple[bool, Any]:
        assert listed.item is not None
        ok, values = True, []
        for index, item in enumerate(data):
            valid, value = self.value(item, listed.item, (*path, index))
            ok = ok and valid
            values.append(value)
        if not ok:
            return False, None
        built = listed.container(values)
        self.rules.apply_here(built, shape, At(self, path))
        return True, built

    def entries(self, data: dict[str, Any], shape: Shape, path: KeyPath) -> tuple[bool, Any]:
        assert shape.item is not None and shape.key is not None
        ok, values = True, {}
        for key, item in data.items():
            where = (*path, key)
            for line in self.doc.duplicates.get(where, ()):
                self.fmt.duplicate(At(self, where), shape, line)
                ok = False
            key_ok = self.key(key, shape.key, where)
            valid, value = self.value(item, shape.item, where)
            ok = ok and valid and key_ok
            values[key] = value
        if not ok:
            return False, None
        built = shape.container(values)
        self.rules.apply_here(built, shape, At(self, path))
        return True, built

    def key(self, key: str, shape: Shape, path: KeyPath) -> bool:
        at = At(self, path, is_key=True)
        try:
            msgspec.convert(key, shape.annotation)
        except msgspec.ValidationError as exc:
            self.fmt.invalid(at, shape, key, _WHERE.sub("", str(exc)))
            return False
        self.rules.apply_here(key, shape, at)
        return True

    # Rules over a value msgspec built whole -----------------------------------------------------

    def apply(self, value: Any, data: Any, shape: Shape, path: KeyPath) -> None:
        """Run the rules at and below path over a valid value (``data``: as read, to tell a
        field written from one left to its default)."""
        plan = self.rules.plan(shape)
        if plan is not None and value is not None:
            plan(self, value, data, path)


# -- the entry points ----------------------------------------------------------------------------


@dataclass
class Loaded(Generic[T]):
    """What reading one file gave: the typed value (None when anything is wrong), every
    problem, and the document (None when the file could not be read at all)."""

    value: T | None
    errors: list[DataFileError]
    doc: Document | None


def read(path: Path, fmt: Format | None = None) -> Document:
    """Parse a YAML file; a file that cannot be read or parsed raises ``fmt.error``."""
    fmt = fmt or Format()
    return Document(Path(path), _compose(Path(path), fmt.error, fmt.syntax))


def validate(doc: Document, model: type[T], *, fmt: Format | None = None,
             rules: Rules[C] | None = None, context: C | None = None) -> Loaded[T]:
    """Validate a document into ``model`` and run ``rules`` over it; every problem at once."""
    run: _Run[Any] = _Run(doc, shape_of(model), fmt or Format(), rules or Rules(), context)
    value = run.run()
    return Loaded(None if run.errors else value, run.errors, doc)


def check(path: Path, model: type[T], *, fmt: Format | None = None,
          rules: Rules[C] | None = None, context: C | None = None) -> Loaded[T]:
    """``read`` and ``validate`` one file; a file that cannot be read is one of the errors."""
    try:
        doc = read(path, fmt)
    except DataFileError as error:
        return Loaded(None, [error], None)
    return validate(doc, model, fmt=fmt, rules=rules, context=context)


def load(path: Path, model: type[T], *, fmt: Format | None = None,
         rules: Rules[C] | None = None, context: C | None = None) -> T:
    """The file as ``model``; raises DataFileErrors naming every problem in it."""
    loaded = check(path, model, fmt=fmt, rules=rules, context=context)
    if loaded.value is None:
        raise DataFileErrors(loaded.errors)
    return loaded.value
