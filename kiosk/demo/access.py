"""Who may read and write what: the rules in ``access.yaml`` applied to a token.

A citizen's token sees and writes only its own patient's data, plus the data of the people it
may act for in the service areas it may act in for them: that is the ``acts_for`` hook,
``(store, patient_id) -> {patient id: areas}``, which the proxy and parent rules plug in.
``access.yaml`` says which area each type of a patient's data belongs to. The kiosk's delivery
identity may only create submissions.

``family_acts_for`` is that hook for a country's rules of the service's own (family.yaml): a
parent's areas by the child's age; a proxy the areas its RelatedPerson records (one
``AREA_EXTENSION`` per name), never more than the giver may use themselves, and nothing while
either of them has a confidential address. The service reads those FHIR elements itself, as
any server would; it borrows nothing from the kiosk's client side.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kiosk.demo.datafile import Lines, load
from kiosk.demo.family import CountryRules, age_on, load_family
from kiosk.demo.params import SearchParam, references
from kiosk.demo.problem import Problem
from kiosk.demo.store import Store

ACCESS_FILE = Path(__file__).with_name("access.yaml")
ActsFor = Callable[[Store, str], Mapping[str, frozenset[str]]]
"""Given the store and a signed-in patient's id: each patient they may act for, with the
service areas they may act in for that patient."""
ANY = "any"
"""In ``areas``: a type anyone acting for the patient may use, whatever the areas."""
OWN = "own"
"""In ``areas``: a type only the patient themselves may use."""


ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
PARENT_ROLES = frozenset({"MTH", "FTH", "PRN", "NMTH", "NFTH", "GUARD"})
"""v3-RoleCode relationships that carry parental responsibility in the practice data."""
PROXY_ROLE = "HPOWATT"
AREA_EXTENSION = "https://helselos.invalid/fhir/StructureDefinition/proxy-area"
"""On a proxy's RelatedPerson, one per name it covers (valueCode): ``all`` or a choice."""
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
CONFIDENTIAL_CODES = frozenset({"R", "V"})
"""A Patient whose meta.security holds restricted (R) or very restricted (V) has a
confidential address."""


def _identifiers(resource: dict[str, Any] | None) -> set[tuple[str, str]]:
    return {(str(i.get("system")), str(i.get("value")))
            for i in (resource or {}).get("identifier") or [] if isinstance(i, dict)}


def _roles(person: dict[str, Any]) -> set[str]:
    return {str(c.get("code")) for r in person.get("relationship") or []
            for c in r.get("coding") or [] if c.get("system") == ROLE_SYSTEM}


def _born(patient: dict[str, Any] | None) -> date | None:
    text = (patient or {}).get("birthDate")
    return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None


def _recorded_areas(person: dict[str, Any]) -> set[str]:
    """The names a proxy's RelatedPerson records for what it covers."""
    return {str(item["valueCode"]) for item in person.get("extension") or []
            if isinstance(item, dict) and item.get("url") == AREA_EXTENSION
            and isinstance(item.get("valueCode"), str)}


def _confidential(patient: dict[str, Any]) -> bool:
    return any(isinstance(label, dict) and label.get("system") == CONFIDENTIALITY
               and label.get("code") in CONFIDENTIAL_CODES
               for label in (patient.get("meta") or {}).get("security") or [])


def family_acts_for(rules: CountryRules, today: Callable[[], date]) -> ActsFor:
    """The ``acts_for`` hook of a country's family rules: a RelatedPerson naming the signed-in
    citizen by identifier lets them act for that patient: as a parent in the areas the child's
    age leaves the parent, as a proxy in the areas the rules allow that proxy on that day."""

    def acts_for(store: Store, patient_id: str) -> dict[str, frozenset[str]]:
        me = store.get("Patient", patient_id)
        mine, day = _identifiers(me), today()
        found: dict[str, frozenset[str]] = {}
        for person in store.all("RelatedPerson"):
            other = str((person.get("patient") or {}).get("reference", ""))
            other = other.removeprefix("Patient/")
            if person.get("active") is False or not mine & _identifiers(person):
                continue
            patient = store.get("Patient", other)
            born = _born(patient)
            if born is None or born > day:
                continue
            roles = _roles(person)
            areas: frozenset[str] = frozenset()
            if roles & PARENT_ROLES:
                areas |= rules.parent.at(age_on(born, day))
            if PROXY_ROLE in roles and me is not None:
                areas |= _proxy_areas(rules, person, patient or {}, me, day)
            if areas:
                found[other] = found.get(other, frozenset()) | areas
        return found

    return acts_for


def _proxy_areas(rules: CountryRules, person: dict[str, Any], giver: dict[str, Any],
                 proxy: dict[str, Any], day: date) -> frozenset[str]:
    """What the proxy ``person`` records lets ``proxy`` do for ``giver`` on ``day``: the areas
    it names that a proxy may be given for and the giver may use themselves that day."""
    given = rules.proxy
    giver_born, proxy_born = _born(giver), _born(proxy)
    period = person.get("period") or {}
    start, end = period.get("start"), period.get("end")
    if given is None or giver_born is None or proxy_born is None:
        return frozenset()
    if giver_born > day or proxy_born > day:
        return frozenset()
    if isinstance(start, str) and date.fromisoformat(start[:10]) > day:
        return frozenset()
    if isinstance(end, str) and day > date.fromisoformat(end[:10]):
        return frozenset()
    if given.blocked_by_confidential_address and (_confidential(giver) or _confidential(proxy)):
        return frozenset()
    giver_age = age_on(giver_born, day)
    if giver_age < given.giver_min_age or age_on(proxy_born, day) < given.proxy_min_age:
        return frozenset()
    return given.covers(_recorded_areas(person)) & given.areas & rules.own.at(giver_age)


@dataclass(frozen=True)
class Token:
    """What a bearer token stands for. ``patient_id`` is the signed-in citizen (citizen
    tokens only); ``kind`` "delivery" is the kiosk's own identity, used by its outbox."""

    kind: Literal["citizen", "delivery"]
    client_id: str
    expires_at: float
    patient_id: str | None = None


@dataclass(frozen=True)
class AccessRules:
    compartment: dict[str, tuple[SearchParam, ...]]
    shared: frozenset[str]
    delivery_may_create: frozenset[str]
    areas: dict[str, str]
    """Patient compartment type -> its service area, ``any`` or ``own``."""


def load_access(params: dict[str, dict[str, SearchParam]], types: frozenset[str],
                path: Path = ACCESS_FILE, known_areas: Collection[str] | None = None
                ) -> AccessRules:
    """Read ``access.yaml``; every type must be a stored type, every parameter known, and
    every area one of ``known_areas`` (default: those of family.yaml)."""
    data, lines = load(path)
    wanted = {"patient_compartment", "shared", "delivery_may_create", "areas"}
    if not isinstance(data, dict) or set(data) != wanted:
        raise lines.error((), f"must hold exactly {', '.join(sorted(wanted))}")

    def known(keys: tuple[str | int, ...], kind: Any) -> str:
        if kind not in types:
            raise lines.error(keys, f"{kind!r} is not a resource type of required.yaml")
        return str(kind)

    compartment: dict[str, tuple[SearchParam, ...]] = {}
    spec = data["patient_compartment"]
    if not isinstance(spec, dict):
        raise lines.error(("patient_compartment",), "must map types to search parameters")
    for kind, names in spec.items():
        known(("patient_compartment", kind), kind)
        if not isinstance(names, list) or not names:
            raise lines.error(("patient_compartment", kind), "must list search parameters")
        for i, name in enumerate(names):
            if name not in params.get(kind, {}):
                raise lines.error(("patient_compartment", kind, i),
                                  f"{name!r} is not a search parameter of {kind} (search.yaml)")
        compartment[kind] = tuple(params[kind][n] for n in names)
    lists = {}
    for key in ("shared", "delivery_may_create"):
        if not isinstance(data[key], list):
            raise lines.error((key,), "must be a list of resource types")
        lists[key] = frozenset(known((key, i), k) for i, k in enumerate(data[key]))
    both = lists["shared"] & set(compartment)
    if both:
        raise lines.error(("shared",), f"{sorted(both)} are also in the patient compartment")
    missing = types - lists["shared"] - set(compartment)
    if missing:
        raise lines.error((), f"no access rule for {', '.join(sorted(missing))}")
    areas = _areas(data["areas"], compartment, lines,
                   load_family().areas if known_areas is None else tuple(known_areas))
    return AccessRules(compartment, lists["shared"], lists["delivery_may_create"], areas)


def _areas(spec: Any, compartment: Collection[str], lines: Lines,
           known: tuple[str, ...]) -> dict[str, str]:
    """The ``areas`` section: one area (or any, own) for each patient compartment type."""
    if not isinstance(spec, dict):
        raise lines.error(("areas",), "must map patient compartment types to service areas")
    choices = (*known, ANY, OWN)
    for kind, area in spec.items():
        if kind not in compartment:
            raise lines.error(("areas", kind), f"{kind!r} is not in patient_compartment")
        if area not in choices:
            raise lines.error(("areas", kind),
                              f"{area!r} is not an area; use one of {', '.join(choices)}")
    missing = sorted(set(compartment) - set(spec))
    if missing:
        raise lines.error(("areas",), f"no area for {', '.join(missing)}")
    return {str(kind): str(area) for kind, area in spec.items()}


class Access:
    """Applies the rules; every refusal is a 403 OperationOutcome."""

    def __init__(self, rules: AccessRules, acts_for: ActsFor | None = None) -> None:
        self.rules = rules
        self.acts_for = acts_for

    def acting(self, store: Store, token: Token) -> Mapping[str, frozenset[str]]:
        """Whom a citizen token acts for, each with the areas it may act in for them."""
        if token.patient_id is None or self.acts_for is None:
            return {}
        return {other: areas for other, areas in self.acts_for(store, token.patient_id).items()
                if other != token.patient_id}

    def patients(self, store: Store, token: Token, kind: str | None = None) -> frozenset[str]:
        """Whose data of ``kind`` a citizen token may see and write: its own patient's, and
        that of whom it acts for in that type's area (no kind: in any area)."""
        if token.patient_id is None:
            return frozenset()
        area = self.rules.areas.get(kind, ANY) if kind is not None else ANY
        others = [] if area == OWN else [
            other for other, areas in self.acting(store, token).items()
            if area == ANY or area in areas]
        return frozenset({token.patient_id, *others})

    def owners(self, kind: str, resource: dict[str, Any]) -> frozenset[str] | None:
        """Ids of the patients a resource belongs to; None for a shared type."""
        params = self.rules.compartment.get(kind)
        if params is None:
            return None
        if kind == "Patient":
            return frozenset({str(resource.get("id", ""))})
        return frozenset(ref.removeprefix("Patient/") for p in params
                         for ref in references(resource, p) if ref.startswith("Patient/"))

    def may_read(self, store: Store, token: Token, kind: str, resource: dict[str, Any]) -> bool:
        if token.kind == "delivery":
            return False
        owners = self.owners(kind, resource)
        if owners is None or owners & self.patients(store, token, kind):
            return True
        # A RelatedPerson on someone else's record that names the citizen (a child's parent,
        # a proxy given to them) is about the citizen too: it is how a client finds whose
        # records they may act for, on this service as on any other.
        return kind == "RelatedPerson" and token.patient_id is not None and bool(
            _identifiers(resource) & _identifiers(store.get("Patient", token.patient_id)))

    def refusal(self, store: Store, token: Token, kind: str, owners: Iterable[str],
                otherwise: str) -> Problem:
        """The 403 for touching ``owners``' data of ``kind``: when the token acts for one of
        them, but not in this area, it says so (a client can tell the citizen why)."""
        acted_for = set(owners) & self.patients(store, token)
        if not acted_for:
            return Problem(403, otherwise, "forbidden")
        area = self.rules.areas.get(kind, ANY)
        if area == OWN:
            return Problem(403, f"only the patient themselves may use their {kind}",
                           "forbidden")
        return Problem(403, f"acting for this patient does not cover the area '{area}'"
                            f" ({kind})", "forbidden")

    def check_read(self, store: Store, token: Token, kind: str,
                   resource: dict[str, Any]) -> None:
        if not self.may_read(store, token, kind, resource):
            raise self.refusal(store, token, kind, self.owners(kind, resource) or (),
                               f"this {kind} belongs to someone else")

    def check_search(self, store: Store, token: Token, kind: str,
                     patient_refs: Iterable[str]) -> None:
        """A citizen may not even ask about other people's data."""
        if token.kind == "delivery":
            raise Problem(403, "the kiosk's delivery identity may not search", "forbidden")
        allowed = self.patients(store, token, kind)
        for ref in patient_refs:
            patient = ref.removeprefix("Patient/")
            if patient not in allowed:
                raise self.refusal(store, token, kind, [patient],
                                   f"a token may only search its own {kind} resources")

    def check_kind(self, token: Token, kind: str, *, create: bool) -> None:
        """Refuse early what this token may never write, whatever the resource says."""
        if token.kind == "delivery":
            if create and kind in self.rules.delivery_may_create:
                return
            raise Problem(403, f"the kiosk's delivery identity may not "
                               f"{'create' if create else 'change'} a {kind}", "forbidden")
        if kind in self.rules.shared and kind != "Slot":
            raise Problem(403, f"a citizen may not change a {kind}", "forbidden")
        if kind == "Slot" and create:
            raise Problem(403, "only the GP office creates Slots", "forbidden")

    def check_write(self, store: Store, token: Token, kind: str, resource: dict[str, Any],
                    *, create: bool) -> None:
        """The resource must belong only to patients the token may act for; the delivery
        identity (its types checked by ``check_kind``) may write for any existing patient."""
        self.check_kind(token, kind, create=create)
        allowed = None if token.kind == "delivery" else self.patients(store, token, kind)
        owners = self.owners(kind, resource)
        if owners is None:
            raise Problem(403, f"a citizen may not change a {kind}", "forbidden")
        if not owners:
            raise Problem(403, f"this {kind} must name the patient it belongs to", "forbidden")
        if allowed is not None and not owners <= allowed:
            raise self.refusal(store, token, kind, owners - allowed,
                               f"a token may only write its own patient's {kind}")
        for owner in sorted(owners):
            if store.get("Patient", owner) is None:
                raise Problem(400, f"{kind} refers to Patient/{owner}, which does not exist",
                              "not-found")
