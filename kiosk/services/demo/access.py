"""Who may read and write what: the rules in ``access.yaml`` applied to a token.

A citizen's token sees and writes only its own patient's data, plus the data of the people it
may act for: that is the ``acts_for`` hook, ``(store, patient_id) -> patient ids``, which the
proxy and parent policy plugs in. The kiosk's delivery identity may only create submissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kiosk.policy.access import Policy, ProxyGrant
from kiosk.services.demo.datafile import load
from kiosk.services.demo.params import SearchParam, references
from kiosk.services.demo.problem import Problem
from kiosk.services.demo.store import Store

ACCESS_FILE = Path(__file__).with_name("access.yaml")
ActsFor = Callable[[Store, str], Iterable[str]]
"""Given the store and a signed-in patient's id, the ids of the patients they may act for."""


ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
PARENT_ROLES = frozenset({"MTH", "FTH", "PRN", "NMTH", "NFTH", "GUARD"})
"""v3-RoleCode relationships that carry parental responsibility in the practice data."""
PROXY_ROLE = "HPOWATT"


def _identifiers(resource: dict[str, Any] | None) -> set[tuple[str, str]]:
    return {(str(i.get("system")), str(i.get("value")))
            for i in (resource or {}).get("identifier") or [] if isinstance(i, dict)}


def _roles(person: dict[str, Any]) -> set[str]:
    return {str(c.get("code")) for r in person.get("relationship") or []
            for c in r.get("coding") or [] if c.get("system") == ROLE_SYSTEM}


def _born(patient: dict[str, Any] | None) -> date | None:
    text = (patient or {}).get("birthDate")
    return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None


def family_acts_for(policy: Policy, today: Callable[[], date]) -> ActsFor:
    """The ``acts_for`` hook of the country's policy: a RelatedPerson naming the signed-in
    citizen by identifier lets them act for that patient when it is a parent whose child's age
    leaves the parent some services, or a proxy the policy allows on that day."""

    def acts_for(store: Store, patient_id: str) -> Iterator[str]:
        me = store.get("Patient", patient_id)
        mine, my_birth, day = _identifiers(me), _born(me), today()
        for person in store.all("RelatedPerson"):
            roles = _roles(person)
            other = str((person.get("patient") or {}).get("reference", ""))
            other = other.removeprefix("Patient/")
            if person.get("active") is False or not mine & _identifiers(person):
                continue
            born = _born(store.get("Patient", other))
            if born is None or born > day:
                continue
            as_parent = bool(roles & PARENT_ROLES) and bool(policy.guardian(born, day).areas)
            as_proxy = (PROXY_ROLE in roles and my_birth is not None
                        and _proxy_allows(policy, person, born, my_birth, day))
            if as_parent or as_proxy:
                yield other

    return acts_for


def _proxy_allows(policy: Policy, person: dict[str, Any], giver: date, proxy: date,
                  day: date) -> bool:
    period = person.get("period") or {}
    start, end = period.get("start"), period.get("end")
    if isinstance(start, str) and date.fromisoformat(start[:10]) > day:
        return False
    grant = ProxyGrant(giver, proxy, frozenset(policy.areas),
                       date.fromisoformat(end[:10]) if isinstance(end, str) else None)
    return policy.adult_proxy(grant, day).allowed


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


def load_access(params: dict[str, dict[str, SearchParam]], types: frozenset[str],
                path: Path = ACCESS_FILE) -> AccessRules:
    """Read ``access.yaml``; every type must be a stored type and every parameter known."""
    data, lines = load(path)
    wanted = {"patient_compartment", "shared", "delivery_may_create"}
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
    return AccessRules(compartment, lists["shared"], lists["delivery_may_create"])


class Access:
    """Applies the rules; every refusal is a 403 OperationOutcome."""

    def __init__(self, rules: AccessRules, acts_for: ActsFor | None = None) -> None:
        self.rules = rules
        self.acts_for = acts_for

    def patients(self, store: Store, token: Token) -> frozenset[str]:
        """Whose data a citizen token may see: its own patient and whom it acts for."""
        if token.patient_id is None:
            return frozenset()
        others = self.acts_for(store, token.patient_id) if self.acts_for else ()
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
        return owners is None or bool(owners & self.patients(store, token))

    def check_read(self, store: Store, token: Token, kind: str,
                   resource: dict[str, Any]) -> None:
        if not self.may_read(store, token, kind, resource):
            raise Problem(403, f"this {kind} belongs to someone else", "forbidden")

    def check_search(self, store: Store, token: Token, kind: str,
                     patient_refs: Iterable[str]) -> None:
        """A citizen may not even ask about other people's data."""
        if token.kind == "delivery":
            raise Problem(403, "the kiosk's delivery identity may not search", "forbidden")
        allowed = self.patients(store, token)
        for ref in patient_refs:
            if ref.removeprefix("Patient/") not in allowed:
                raise Problem(403, f"a token may only search its own {kind} resources",
                              "forbidden")

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
        allowed = None if token.kind == "delivery" else self.patients(store, token)
        owners = self.owners(kind, resource)
        if owners is None:
            raise Problem(403, f"a citizen may not change a {kind}", "forbidden")
        if not owners:
            raise Problem(403, f"this {kind} must name the patient it belongs to", "forbidden")
        if allowed is not None and not owners <= allowed:
            raise Problem(403, f"a token may only write its own patient's {kind}", "forbidden")
        for owner in sorted(owners):
            if store.get("Patient", owner) is None:
                raise Problem(400, f"{kind} refers to Patient/{owner}, which does not exist",
                              "not-found")
