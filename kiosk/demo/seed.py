"""Fill a new store with the fictional world of ``seed.yaml``, plus two weeks of GP time.

Every seeded resource is validated like a client's, so a mistake in the data file stops the
service at start with the file, line and element, instead of surprising a citizen later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.demo.datafile import Lines, load
from kiosk.demo.problem import Problem
from kiosk.demo.store import Store
from kiosk.demo.validate import Validator
from translations.catalog import KIOSK_TZ

SEED_FILE = Path(__file__).with_name("seed.yaml")
NO_NATIONAL_ID = "urn:oid:2.16.578.1.12.4.1.4.1"
"""Identifier system of the Norwegian national identity number, as the seed's practice
citizens carry it."""
_RELATIVE = re.compile(r"^@today(?P<days>[+-]\d+)?(T(?P<h>\d{2}):(?P<m>\d{2}))?$")
_CLOCK = re.compile(r"^\d{2}:\d{2}$")
FIRST_APPOINTMENT_ID = "appt-1"


@dataclass(frozen=True)
class Schedule:
    schedule: str
    comment: str
    days_ahead: int
    day_start: time
    day_end: time
    slot_minutes: int
    booked_for: str
    service_types: tuple[tuple[time, dict[str, Any]], ...] = ()
    """(from, Coding): the Slot.serviceType of slots starting at or after ``from``."""


@dataclass(frozen=True)
class Seed:
    sign_in_as: tuple[str, ...]
    schedule: Schedule
    resources: tuple[dict[str, Any], ...]


def load_seed(validator: Validator, today: date, path: Path = SEED_FILE) -> Seed:
    """Read and check the seed file; dates are made relative to ``today`` (Oslo time)."""
    data, lines = load(path)
    if not isinstance(data, dict) or set(data) != {"sign_in_as", "schedule", "resources"}:
        raise lines.error((), "must hold exactly sign_in_as, schedule and resources")
    raw = data["resources"]
    if not isinstance(raw, list):
        raise lines.error(("resources",), "must be a list of FHIR resources")
    resources = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        resource = _resolve(item, ("resources", i), today, lines)
        if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
            raise lines.error(("resources", i), "each resource needs a resourceType and an id")
        try:
            validator.check(resource, str(resource.get("resourceType")))
        except Problem as problem:
            raise lines.error(("resources", i), problem.message) from problem
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            raise lines.error(("resources", i, "id"), f"{key[0]}/{key[1]} is given twice")
        seen.add(key)
        resources.append(resource)
    patients = {rid for kind, rid in seen if kind == "Patient"}
    sign_in = data["sign_in_as"]
    if not isinstance(sign_in, list) or not sign_in:
        raise lines.error(("sign_in_as",), "must list Patient ids")
    for i, pid in enumerate(sign_in):
        if pid not in patients:
            raise lines.error(("sign_in_as", i), f"{pid!r} is not a seeded Patient")
    schedule = _schedule(data["schedule"], lines, patients, seen)
    return Seed(tuple(sign_in), schedule, tuple(resources))


def plant(store: Store, seed: Seed, clock: Clock) -> None:
    """Store the seed's resources, the Slots, and one booked Appointment."""
    for resource in seed.resources:
        store.put(resource)
    spec = seed.schedule
    today = clock.now().astimezone(KIOSK_TZ).date()
    slots = []
    for offset in range(spec.days_ahead):
        day = today + timedelta(days=offset)
        if day.weekday() < 5:
            slots.extend(_slots_of(day, spec))
    for slot in slots:
        store.put(slot)
    tomorrow = clock.now() + timedelta(days=1)
    first = next(s for s in slots if datetime.fromisoformat(s["start"]) > tomorrow)
    store.put({**first, "status": "busy"})
    store.put({
        "resourceType": "Appointment", "id": FIRST_APPOINTMENT_ID, "status": "booked",
        **({"serviceType": first["serviceType"]} if "serviceType" in first else {}),
        "slot": [{"reference": f"Slot/{first['id']}"}],
        "start": first["start"], "end": first["end"], "description": spec.comment,
        "participant": [{"actor": {"reference": f"Patient/{spec.booked_for}"},
                         "status": "accepted"}],
    })


def _slots_of(day: date, spec: Schedule) -> list[dict[str, Any]]:
    found = []
    start = datetime.combine(day, spec.day_start, KIOSK_TZ)
    end_of_day = datetime.combine(day, spec.day_end, KIOSK_TZ)
    step = timedelta(minutes=spec.slot_minutes)
    while start + step <= end_of_day:
        slot: dict[str, Any] = {
            "resourceType": "Slot", "id": f"slot-{start:%Y%m%d-%H%M}",
            "schedule": {"reference": f"Schedule/{spec.schedule}"}, "status": "free",
            "start": start.isoformat(), "end": (start + step).isoformat(),
            "comment": spec.comment,
        }
        codings = [c for since, c in spec.service_types if since <= start.time()]
        if codings:
            slot["serviceType"] = [{"coding": [dict(codings[-1])]}]
        found.append(slot)
        start += step
    return found


def _schedule(spec: Any, lines: Lines, patients: set[str],
              seen: set[tuple[str, str]]) -> Schedule:
    keys = {"schedule", "comment", "days_ahead", "day_start", "day_end", "slot_minutes",
            "booked_for"}
    where = ("schedule",)
    if not isinstance(spec, dict) or not keys <= set(spec) <= keys | {"service_types"}:
        raise lines.error(where, f"must hold exactly {', '.join(sorted(keys))} "
                                 "(and service_types if slots say how to meet)")
    for name in ("days_ahead", "slot_minutes"):
        value = spec[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 120:
            raise lines.error((*where, name), "must be a whole number from 1 to 120")
    for name in ("day_start", "day_end"):
        if not isinstance(spec[name], str) or not _CLOCK.match(spec[name]):
            raise lines.error((*where, name), 'must be a time like "08:00"')
    day_start, day_end = time.fromisoformat(spec["day_start"]), time.fromisoformat(
        spec["day_end"])
    if day_end <= day_start:
        raise lines.error((*where, "day_end"), "must be after day_start")
    if ("Schedule", spec["schedule"]) not in seen:
        raise lines.error((*where, "schedule"), "must be the id of a seeded Schedule")
    if spec["booked_for"] not in patients:
        raise lines.error((*where, "booked_for"), "must be the id of a seeded Patient")
    if not isinstance(spec["comment"], str) or not spec["comment"]:
        raise lines.error((*where, "comment"), "must be a text")
    return Schedule(spec["schedule"], spec["comment"], spec["days_ahead"], day_start, day_end,
                    spec["slot_minutes"], spec["booked_for"],
                    _service_types(spec.get("service_types", {}), lines))


def _service_types(spec: Any, lines: Lines) -> tuple[tuple[time, dict[str, Any]], ...]:
    """``"HH:MM": Coding`` pairs, earliest first."""
    where = ("schedule", "service_types")
    if not isinstance(spec, dict):
        raise lines.error(where, 'must map a time like "08:00" to a Coding')
    found = []
    for since, coding in spec.items():
        if not isinstance(since, str) or not _CLOCK.match(since):
            raise lines.error((*where, str(since)), 'must be a time like "08:00"')
        if not isinstance(coding, dict) or not {"system", "code"} <= set(coding):
            raise lines.error((*where, since), "must be a Coding with a system and a code")
        found.append((time.fromisoformat(since), coding))
    return tuple(sorted(found, key=lambda pair: pair[0]))


def _resolve(value: Any, keys: tuple[str | int, ...], today: date, lines: Lines) -> Any:
    """Turn "@today-30" and "@today+2T10:15" into real dates and times."""
    if isinstance(value, dict):
        return {k: _resolve(v, (*keys, k), today, lines) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, (*keys, i), today, lines) for i, v in enumerate(value)]
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    match = _RELATIVE.match(value)
    if not match:
        raise lines.error(keys, f'{value!r}: write "@today-30" or "@today+2T10:15"')
    day = today + timedelta(days=int(match["days"] or 0))
    if match["h"] is None:
        return day.isoformat()
    return datetime.combine(day, time(int(match["h"]), int(match["m"])), KIOSK_TZ).isoformat()
